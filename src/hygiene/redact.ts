/**
 * Redaction: sanitised copies of log records and files (`apilog redact <path…> -o DIR`). Every finding
 * of the hygiene scanner is replaced by its mask; the JSON structure (keys, nesting, array positions)
 * is kept. A number holding a secret (e.g. `"cvv": 123`) becomes a string mask.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expandInputs, openSource } from '../ingest/index.js';
import type { IngestIssue, IngestLimits, InputSource, RawRecord, FileStats } from '../ingest/types.js';
import { DEFAULT_INGEST_LIMITS } from '../ingest/types.js';
import { HygieneScanner, type Finding } from './scanner.js';
import { escapeJsonText } from '../report/sanitize.js';

/** Redaction scans deeper and further than detection: nothing may be left unmasked for lack of budget. */
const REDACT_LIMITS = { maxDepth: 128, maxBytes: 1 << 30 };

let shared: HygieneScanner | null = null;
function scanner(): HygieneScanner {
  shared ??= new HygieneScanner(REDACT_LIMITS);
  return shared;
}

export interface RedactResult {
  /**
   * The masked value. The input is never modified: objects and arrays on the way to a masked value
   * are copied, unchanged sub-trees are shared with the input (the input itself when nothing was
   * found). Treat both as read-only, or deep-copy the result before changing it.
   */
  value: unknown;
  /** Values (strings or numbers) that were changed. */
  changes: number;
  /** True when the record nests deeper than the scanner walks (128 levels): deeper parts are not checked. */
  truncated?: boolean;
}

/** Mask every finding of `value` in a copy, keeping its JSON structure (keys, nesting, positions). */
export function redactRecord(value: unknown): RedactResult {
  const sc = scanner();
  let found = 0;
  // The fast scan decides; only records with findings are walked again and copied.
  sc.scanRecord(value, () => {
    found++;
  });
  const truncated = sc.truncated;
  if (found === 0) return truncated ? { value, changes: 0, truncated } : { value, changes: 0 };
  const r = sc.redactCopy(value);
  return truncated ? { value: r.value, changes: r.changes, truncated } : { value: r.value, changes: r.changes };
}

/**
 * Mask the secrets in one string (a query string, a header value, a note). `key` gives context, e.g.
 * "authorization" or "query"; findings are returned for callers that want to count them.
 */
export function redactString(value: string, key = ''): { value: string; findings: Finding[] } {
  const findings: Finding[] = [];
  const sc = scanner();
  const r = sc.redactCopy({ [key || 'value']: value }, (f) => findings.push(f));
  const v = (r.value as Record<string, unknown>)[key || 'value'];
  return { value: typeof v === 'string' ? v : String(v), findings };
}

/** The ingest entry point (injectable for tests). */
export type OpenSourceFn = (
  source: InputSource,
  limits: IngestLimits,
  onIssue: (i: IngestIssue) => void,
) => { stats: FileStats; batches(): AsyncIterable<RawRecord[]> };

export interface RedactFilesOptions {
  limits?: IngestLimits;
  include?: string[];
  exclude?: string[];
  onIssue?: (i: IngestIssue) => void;
  /** Overwrite existing output files (default: true). */
  overwrite?: boolean;
  open?: OpenSourceFn;
}

/** A sanitised copy (or the output folder) could not be written: full disk, no permission, a file in the way. */
export class RedactOutputError extends Error {
  constructor(
    /** The output folder or file, as the user's -o spells it. */
    readonly file: string,
    override readonly cause: unknown,
    readonly isFolder = false,
  ) {
    super(`cannot write ${file}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RedactOutputError';
  }
}

export interface RedactedFile {
  input: string;
  /**
   * Where the copy was written: the -o folder as given, joined with the copy's relative name; null
   * when the input held no record (a notes file, an empty log), of which no copy is made.
   */
  output: string | null;
  records: number;
  /** Records in which at least one value was masked. */
  recordsChanged: number;
  /** Values masked. */
  changes: number;
  /** Records nested too deep to check fully. */
  truncated: number;
  malformed: number;
  /** Other input not copied: lines that are not JSON, too long or too deep, a damaged .gz's rest. */
  skipped: number;
}

export interface RedactFilesResult {
  files: RedactedFile[];
  issues: IngestIssue[];
}

/** Output name for an input: gzip suffix dropped (copies are written plain). */
function plainName(rel: string): string {
  return rel.replace(/\.gz$/i, '');
}

/** Relative output path of a source, given the input it was found under. */
function relativeFor(source: InputSource, input: string): string {
  if (source.kind === 'stdin') return 'stdin.ndjson';
  const st = safeStat(input);
  if (st?.isDirectory()) {
    const rel = path.relative(path.resolve(input), path.resolve(source.path));
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return plainName(rel);
  }
  return plainName(path.basename(source.path));
}

function safeStat(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** Write with backpressure; rejects (through `failed`) when the stream fails instead of waiting for a drain that never comes. */
async function writeChunk(out: fs.WriteStream, chunk: string, failed: Promise<void>): Promise<void> {
  if (!out.write(chunk)) await Promise.race([new Promise<void>((resolve) => out.once('drain', resolve)), failed]);
}

/**
 * Write a sanitised NDJSON copy of every input file into `outDir`, under the same relative name
 * (relative to a folder input; the base name for a file input), without `.gz`. Records are written one
 * per line whatever the input container (JSON array, envelope). Malformed lines are not copied, and
 * an input with no record gets no copy.
 */
export async function redactFiles(inputs: string[], outDir: string, options: RedactFilesOptions = {}): Promise<RedactFilesResult> {
  const limits = options.limits ?? DEFAULT_INGEST_LIMITS;
  const open = options.open ?? openSource;
  const issues: IngestIssue[] = [];
  const onIssue = (i: IngestIssue): void => {
    issues.push(i);
    options.onIssue?.(i);
  };
  const files: RedactedFile[] = [];
  const outRoot = path.resolve(outDir);
  try {
    fs.mkdirSync(outRoot, { recursive: true });
  } catch (err) {
    throw new RedactOutputError(outDir, err, true);
  }
  const used = new Set<string>();

  for (const input of inputs) {
    const expanded = await expandInputs([input], {
      ...(options.include ? { include: options.include } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
    });
    for (const i of expanded.issues) onIssue(i);
    for (const source of expanded.sources) {
      let rel = relativeFor(source, input);
      let target = path.resolve(outRoot, rel);
      if (!target.startsWith(outRoot + path.sep)) {
        rel = plainName(path.basename(source.path));
        target = path.resolve(outRoot, rel);
      }
      // Two inputs with the same relative name: number the later ones.
      for (let n = 2; used.has(target); n++) {
        const ext = path.extname(rel);
        target = path.resolve(outRoot, `${rel.slice(0, rel.length - ext.length)}-${n}${ext}`);
      }
      if (source.kind === 'file' && path.resolve(source.path) === target) {
        onIssue({ kind: 'unreadable', file: source.path, message: 'output would overwrite the input; choose another -o folder' });
        continue;
      }
      if (options.overwrite === false && fs.existsSync(target)) {
        onIssue({ kind: 'unreadable', file: source.path, message: `output ${target} exists; not overwritten` });
        continue;
      }
      used.add(target);
      const shown = path.join(outDir, path.relative(outRoot, target));
      const opened = open(source, limits, onIssue);
      // The copy is created with its first record: a notes file beside the logs gets no empty twin.
      let out: fs.WriteStream | null = null;
      let done: Promise<void> = Promise.resolve();
      const openCopy = (): fs.WriteStream => {
        try {
          fs.mkdirSync(path.dirname(target), { recursive: true });
        } catch (err) {
          throw new RedactOutputError(path.dirname(shown), err, true);
        }
        const stream = fs.createWriteStream(target, { encoding: 'utf8' });
        done = new Promise<void>((resolve, reject) => {
          stream.once('finish', resolve);
          stream.once('error', (err) => reject(new RedactOutputError(shown, err)));
        });
        // A write error is thrown where it is awaited (below, or racing a drain), never left unhandled.
        done.catch(() => undefined);
        return stream;
      };
      let tooDeep = 0;
      const file: RedactedFile = { input: source.path, output: null, records: 0, recordsChanged: 0, changes: 0, truncated: 0, malformed: 0, skipped: 0 };
      try {
        for await (const batch of opened.batches()) {
          if (batch.length === 0) continue;
          let chunk = '';
          for (const rec of batch) {
            const r = redactRecord(rec.value);
            file.records++;
            if (r.changes > 0) {
              file.recordsChanged++;
              file.changes += r.changes;
            }
            if (r.truncated) file.truncated++;
            let json: string;
            try {
              json = JSON.stringify(r.value);
            } catch {
              // Nested deeper than the call stack (a --max-depth raised far above the default): the
              // record is left out of the copy and named, the rest of the file is still copied.
              onIssue({ kind: 'too-deep', file: source.path, line: rec.source.line, message: 'record nested too deep to write back; left out of the copy' });
              tooDeep++;
              continue;
            }
            // The copy is JSON a responder will `cat`: DEL, C1 and bidi controls stay escaped, as
            // they were in the input, instead of being written as raw characters.
            chunk += `${escapeJsonText(json)}\n`;
          }
          if (out === null) {
            out = openCopy();
            file.output = shown;
          }
          await writeChunk(out, chunk, done);
        }
      } finally {
        out?.end();
      }
      await done;
      file.malformed = opened.stats.malformed;
      file.skipped = Object.values(opened.stats.skipped).reduce((a, n) => a + n, 0) + tooDeep;
      files.push(file);
    }
  }
  return { files, issues };
}
