/**
 * When a file lacks a field the detectors need, the key its records probably hold it in, found as
 * `apilog formats detect` finds it, on the records the file's format was chosen on. "lacks: user"
 * alone leaves a responder to guess which of a record's keys to --map (a Caddy log whose caller is
 * only in `request.headers.X-User-Id`).
 */
import { describeRecords } from '../normalise/describe.js';
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
 * The fields suggested: those every detector leans on. (`formats detect` also guesses roles from a
 * key's name, too weak a guess to put in every run's summary.)
 */
const SUGGESTED: ReadonlySet<string> = new Set(['ts', 'user', 'ip', 'path', 'status', 'method', 'bytesOut']);

/** The top-level keys of a record: rotated files of one log share them. */
function shapeOf(value: unknown): string {
  return value !== null && typeof value === 'object' ? Object.keys(value).sort().join('\u0001') : typeof value;
}

export type MapSuggester = (path: string, normaliser: FileNormaliser) => MapSuggestion[] | undefined;

export function createMapSuggester(opts: SuggestOptions): MapSuggester {
  const memo = new Map<string, MapSuggestion[]>();
  return (path, normaliser) => {
    const missing = normaliser.missingFields();
    const sample = normaliser.detectionSample();
    const detection = normaliser.detection();
    if (missing.length === 0 || sample.length === 0 || detection === null) return undefined;
    const key = `${detection.format}\u0002${missing.join(',')}\u0002${shapeOf(sample[0])}`;
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
      // (A key too long to paste into a command is no suggestion.)
      found = described.mapSuggestions.filter((s) => SUGGESTED.has(s.field) && missing.includes(s.field) && s.path.length <= MAX_KEY);
      memo.set(key, found);
    }
    return found.length > 0 ? found : undefined;
  };
}
