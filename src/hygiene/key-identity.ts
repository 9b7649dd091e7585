/**
 * The one name apilog gives an API key that it must not keep: its first characters, its length and
 * a short hash of the whole value (`sk_live_…[REDACTED stripe-key len=36 sha256:cbd93f9e]`), as the
 * output masker writes it. Made where the key is read (normalise), it is what actors, detectors and
 * baselines key on, so two keys that share their first characters stay two callers; a name cut to
 * the first characters alone had merged them into one actor and one alert.
 */
import { HygieneScanner } from './scanner.js';
import { maskKey } from './mask.js';

/** Names already made, by key: a log repeats a few keys on every line, and a scan costs microseconds. */
const named = new Map<string, string>();
const NAMED_CAP = 10_000;
let scanner: HygieneScanner | null = null;

/** A name as made here or by the output masker: up to 8 characters and `…`, then the mask. */
const KEY_NAME = /^(?:[^…]{0,8}…)?\[REDACTED [a-z0-9-]+ len=\d+ sha256:[0-9a-f]{8}\]$/;

/**
 * True for a value that is already such a name (a baseline's actor, an alert's subject). The whole
 * value must have the form: a key that merely contains "[REDACTED " is masked like any other.
 */
export function isKeyName(value: string): boolean {
  return value.length < 120 && KEY_NAME.test(value);
}

/**
 * The key's name: as the scanner masks a value under an API key's field name (a provider's key
 * keeps its telling prefix and kind), else (a plain id the scanner leaves readable) its first
 * characters, length and hash all the same: the hash is what tells two keys apart.
 */
export function keyName(value: string): string {
  if (isKeyName(value)) return value;
  let name = named.get(value);
  if (name !== undefined) return name;
  scanner ??= new HygieneScanner();
  const masked = (scanner.redactCopy({ apiKey: value }).value as { apiKey?: unknown }).apiKey;
  name = typeof masked === 'string' && masked !== value && isKeyName(masked) ? masked : maskKey(value);
  if (named.size >= NAMED_CAP) named.clear();
  named.set(value, name);
  return name;
}
