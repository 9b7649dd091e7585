/**
 * When a file lacks the user, the key its records probably hold it in, found as `apilog formats
 * detect` finds it, on the records the file's format was chosen on. "lacks: user" alone leaves a
 * responder to guess which of a record's keys to --map (a Caddy log whose caller is only in
 * `request.headers.X-User-Id`).
 */
import { describeRecords } from '../normalise/describe.js';
import { redactString } from '../hygiene/index.js';
import type { FileNormaliser } from '../normalise/index.js';

export interface MapSuggestion {
  field: string;
  path: string;
}

export interface SuggestOptions {
  map: Record<string, string>;
  inputTz?: string | undefined;
  trustedProxies?: readonly string[] | undefined;
}

/**
 * Files described at most: a folder of rotated logs has one shape, found again by the memo below,
 * and a folder of many shapes must not pay a description per file at the end of the run.
 */
const MAX_DESCRIBED = 20;

const MAX_KEY = 120;

/**
 * The user only: the field a log most often lacks while holding it under some other name, and the
 * one `formats detect` names only from a key that says so (`X-User-Id`, `principal.id`). Its other
 * guesses (an IP from any key holding addresses, a size from `page_size`) are fine beside the
 * whole field table it prints, too weak to be put as "probably" in every run's summary.
 */
const SUGGESTED: ReadonlySet<string> = new Set(['user']);

/** Control, bidi and invisible format characters: a key holding one cannot be typed into a --map. */
const UNTYPABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/**
 * Every key path of the sampled records (arrays as leaves): files with the same paths give the same
 * suggestion, files that differ in a nested key (one header more) do not share one.
 */
function shapeOf(sample: readonly unknown[]): string {
  const paths = new Set<string>();
  const walk = (v: unknown, prefix: string, depth: number): void => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || depth > 8) {
      paths.add(prefix);
      return;
    }
    for (const [k, x] of Object.entries(v)) walk(x, prefix === '' ? k : `${prefix}.${k}`, depth + 1);
  };
  for (const r of sample) walk(r, '', 0);
  return [...paths].sort().join('\u0001');
}

export type MapSuggester = (path: string, normaliser: FileNormaliser) => MapSuggestion[] | undefined;

export function createMapSuggester(opts: SuggestOptions): MapSuggester {
  const memo = new Map<string, MapSuggestion[]>();
  return (path, normaliser) => {
    const missing = normaliser.missingFields();
    const sample = normaliser.detectionSample();
    const detection = normaliser.detection();
    if (missing.length === 0 || sample.length === 0 || detection === null) return undefined;
    const key = `${detection.format}\u0002${missing.join(',')}\u0002${shapeOf(sample)}`;
    let found = memo.get(key);
    if (found === undefined) {
      if (memo.size >= MAX_DESCRIBED) return undefined;
      const described = describeRecords(
        sample.map((value, i) => ({ value, source: { file: path, line: i + 1 } })),
        {
          file: path,
          // A file read only through --map is "custom": described the same way, from the maps.
          ...(detection.format !== 'custom' ? { format: detection.format } : {}),
          map: opts.map,
          ...(opts.inputTz !== undefined ? { inputTz: opts.inputTz } : {}),
          ...(opts.trustedProxies !== undefined ? { trustedProxies: opts.trustedProxies } : {}),
        },
      );
      // No suggestion that could not be pasted as it is printed: a key too long, one with characters
      // the terminal shows escaped, or one the output masks as a secret (`keys.sk_live_….user`).
      found = described.mapSuggestions.filter(
        (s) => SUGGESTED.has(s.field) && missing.includes(s.field) && s.path.length <= MAX_KEY && !UNTYPABLE.test(s.path) && redactString(s.path).value === s.path,
      );
      memo.set(key, found);
    }
    return found.length > 0 ? found : undefined;
  };
}
