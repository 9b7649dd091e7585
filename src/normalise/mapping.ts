/**
 * `--map canonical=path` overrides and mapping files.
 *
 * Keys are canonical field names (case-insensitive; a few friendly synonyms such as
 * `timestamp`, `role`, `latency`, `bytes`, `ua` are accepted). Latency may name its unit:
 * `latencyMs` (default), `latencyS`, `latencyUs`, `latencyNs`. Values are source paths: dotted
 * paths walk nested objects, and a literal dotted key is tried first.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CANONICAL_FIELDS, type CanonicalField } from './event.js';
import { compileSegments, resolvePath, type Rec } from './get.js';
import { compileSource, type CompiledSource } from './spec.js';
import { MAP_PATH_SEPARATOR } from './map-separator.js';

export { MAP_PATH_SEPARATOR };

const SYNONYMS: Record<string, { field: CanonicalField; mod?: string }> = {
  timestamp: { field: 'ts' },
  time: { field: 'ts' },
  clientip: { field: 'ip' },
  role: { field: 'roles' },
  apikeyid: { field: 'apiKey' },
  session: { field: 'sessionId' },
  url: { field: 'path' },
  uri: { field: 'path' },
  statuscode: { field: 'status' },
  bytes: { field: 'bytesOut' },
  latency: { field: 'latencyMs' },
  duration: { field: 'latencyMs' },
  latencys: { field: 'latencyMs', mod: 's' },
  latencysec: { field: 'latencyMs', mod: 's' },
  latencyus: { field: 'latencyMs', mod: 'us' },
  latencyns: { field: 'latencyMs', mod: 'ns' },
  ua: { field: 'userAgent' },
  useragent: { field: 'userAgent' },
  requestid: { field: 'requestId' },
  xforwardedfor: { field: 'ip', mod: 'xff' },
  xff: { field: 'ip', mod: 'xff' },
};

const BY_NORM = new Map<string, CanonicalField>(CANONICAL_FIELDS.map((f) => [f.toLowerCase(), f]));

function norm(s: string): string {
  return s.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Canonical field (and converter modifier) for a --map key, or undefined. */
export function parseMapKey(name: string): { field: CanonicalField; mod: string } | undefined {
  const n = norm(name);
  const f = BY_NORM.get(n);
  if (f !== undefined) return { field: f, mod: '' };
  const s = SYNONYMS[n];
  return s === undefined ? undefined : { field: s.field, mod: s.mod ?? '' };
}

export const MAP_KEYS_HELP = `${CANONICAL_FIELDS.join(', ')} (latencyMs may be given as latencyS, latencyUs or latencyNs)`;

/** Validates a map; throws an Error naming the bad key (prefixed with `where` when given). */
export function validateMap(map: Record<string, string>, where?: string): void {
  const prefix = where ? `${where}: ` : '';
  for (const [k, v] of Object.entries(map)) {
    if (parseMapKey(k) === undefined) {
      throw new Error(`${prefix}unknown canonical field "${k}" in mapping (expected one of: ${MAP_KEYS_HELP})`);
    }
    if (typeof v !== 'string' || v.trim().length === 0) {
      throw new Error(`${prefix}mapping for "${k}" must be a non-empty source path string`);
    }
  }
}

export interface Override {
  field: CanonicalField;
  /** The path as the user wrote it. */
  path: string;
  source: CompiledSource;
}

/**
 * Compiles overrides. When a sample is given and the exact path matches nowhere in it but a
 * case-insensitive spelling does, the getter is compiled on the spelling the file uses.
 */

export function compileOverrides(map: Record<string, string> | undefined, sample: readonly Rec[] = []): Override[] {
  if (!map) return [];
  validateMap(map);
  const out: Override[] = [];
  // Overrides are applied in order and a later one present in a record wins: a field's paths go in
  // backwards, so that the first one given that the record holds is the one used.
  const entries = Object.entries(map).flatMap(([k, raw]) =>
    raw
      .split(MAP_PATH_SEPARATOR)
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .reverse()
      .map((p) => [k, p] as const),
  );
  for (const [k, raw] of entries) {
    const key = parseMapKey(k) as { field: CanonicalField; mod: string };
    const path = raw;
    const spec = key.mod ? `${path}|${key.mod}` : path;
    let source = compileSource(key.field, spec);
    if (sample.length > 0 && !sample.some((r) => source.get(r) !== undefined)) {
      for (const r of sample) {
        const keys = resolvePath(r, path);
        if (keys !== null) {
          const exact = source.get;
          const spelled = compileSegments(keys);
          source = { ...source, get: (o) => exact(o) ?? spelled(o), path: keys.join('.') };
          break;
        }
      }
    }
    out.push({ field: key.field, path, source });
  }
  return out;
}

/**
 * Reads a mapping file (JSON or YAML): an object of canonical field -> source path, optionally
 * under a top-level `map:` or `fields:` key. Throws an Error naming the file and the bad key.
 */
export function loadMapFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read mapping file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    const trimmed = text.trimStart();
    doc = path.toLowerCase().endsWith('.json') || trimmed.startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${path}: mapping file is not valid JSON or YAML (${(e as Error).message.split('\n')[0]})`);
  }
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === 'map' || keys[0] === 'fields')) doc = o[keys[0]];
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(`${path}: mapping file must hold an object of canonical field -> source path`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (parseMapKey(k) === undefined) {
      throw new Error(`${path}: unknown canonical field "${k}" (expected one of: ${MAP_KEYS_HELP})`);
    }
    // A list gives the field several paths, the first present in a record winning.
    const paths = Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.trim().length > 0) ? (v as string[]).map((x) => x.trim()) : null;
    if (paths === null && (typeof v !== 'string' || v.trim().length === 0)) {
      throw new Error(`${path}: key "${k}" must map to a non-empty source path string (or a list of them)`);
    }
    out[k] = paths !== null ? paths.join(MAP_PATH_SEPARATOR) : (v as string).trim();
  }
  return out;
}
