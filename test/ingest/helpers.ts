import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openSource, readStream } from '../../src/ingest/index.js';
import { DEFAULT_INGEST_LIMITS, type FileStats, type IngestIssue, type IngestLimits, type RawRecord } from '../../src/ingest/types.js';
import { tempDirs } from '../helpers/temp.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/ingest');

export function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

// Registered here, at the top level of a module each test file loads afresh: the folders a test
// file got from tempDir() are removed after its tests, the one made after its last test included.
const makeTempDir = tempDirs();

/** A fresh temp folder, removed by the returned cleanup (and after the test file's tests at the latest). */
export function tempDir(): { dir: string; file: (name: string, content: string | Buffer) => string; cleanup: () => void } {
  const dir = makeTempDir('apilog-ingest-');
  return {
    dir,
    file(name, content) {
      const p = path.join(dir, name);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, content);
      return p;
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Collected {
  records: RawRecord[];
  issues: IngestIssue[];
  stats: FileStats;
  batches: number;
}

export function limits(over: Partial<IngestLimits> = {}): IngestLimits {
  return { ...DEFAULT_INGEST_LIMITS, ...over };
}

async function drain(opened: { stats: FileStats; batches(): AsyncIterable<RawRecord[]> }, issues: IngestIssue[]): Promise<Collected> {
  const records: RawRecord[] = [];
  let batches = 0;
  for await (const b of opened.batches()) {
    batches++;
    for (const r of b) records.push(r);
  }
  return { records, issues, stats: opened.stats, batches };
}

/** Read a file through openSource. */
export async function readFile(p: string, lim: Partial<IngestLimits> = {}, highWaterMark?: number): Promise<Collected> {
  const issues: IngestIssue[] = [];
  // As expandInputs lists it: a regular file with its size (so it can be read again), else a stream.
  const st = fs.statSync(p, { throwIfNoEntry: false });
  const source = st?.isFile() ? { path: p, kind: 'file' as const, size: st.size } : { path: p, kind: 'file' as const };
  const opened = openSource(source, limits(lim), (i) => issues.push(i), highWaterMark ? { highWaterMark } : {});
  return drain(opened, issues);
}

/** Read bytes given as chunks through readStream (as stdin would be read). */
export async function readChunks(chunks: Array<Buffer | string>, lim: Partial<IngestLimits> = {}, name = '-'): Promise<Collected> {
  const issues: IngestIssue[] = [];
  const bufs = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
  const opened = readStream(Readable.from(bufs), name, limits(lim), (i) => issues.push(i));
  return drain(opened, issues);
}

/** Split bytes into chunks of `size` bytes. */
export function split(buf: Buffer | string, size: number): Buffer[] {
  const b = typeof buf === 'string' ? Buffer.from(buf) : buf;
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  if (out.length === 0) out.push(Buffer.alloc(0));
  return out;
}

/** Compact view for comparisons: value, line, envelope. */
export function view(c: Collected): Array<{ v: unknown; line: number; env?: string }> {
  return c.records.map((r) => (r.envelope ? { v: r.value, line: r.source.line, env: r.envelope } : { v: r.value, line: r.source.line }));
}

export function issueView(c: Collected): Array<{ kind: string; line?: number }> {
  return c.issues.map((i) => (i.line === undefined ? { kind: i.kind } : { kind: i.kind, line: i.line }));
}
