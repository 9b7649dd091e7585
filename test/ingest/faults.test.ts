/**
 * Files that change under the reader (issue 8): truncated, appended to, deleted between the folder
 * walk and the open or while open; special files in a folder; nesting and invalid UTF-8. Each case
 * drives the real ingest (and, where the run matters, the event stream analyze uses) with the
 * change made at a known point of the read, so nothing depends on timing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expandInputs, openSource, type OpenedSource } from '../../src/ingest/index.js';
import { openEventStream } from '../../src/analyze/events.js';
import { DEFAULT_INGEST_LIMITS, type IngestIssue, type InputSource, type RawRecord } from '../../src/ingest/types.js';
import { readChunks, tempDir } from './helpers.js';

let tmp = tempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = tempDir();
});

/** A flat access-log line of fixed width (LINE bytes with its newline), numbered i. */
const LINE = 160;
function line(tag: string, i: number): string {
  const ts = new Date(Date.UTC(2025, 2, 10, 10, 0, 0) + i * 1000).toISOString();
  const s = `{"timestamp":"${ts}","user_id":"${tag}","ip":"203.0.113.5","method":"GET","path":"/a/${String(i).padStart(7, '0')}","status":200`;
  return `${s}${' '.repeat(LINE - s.length - 2)}}\n`;
}
function lines(tag: string, n: number, from = 0): string {
  let out = '';
  for (let i = from; i < from + n; i++) out += line(tag, i);
  return out;
}

interface Drained {
  records: RawRecord[];
  issues: IngestIssue[];
  opened: OpenedSource;
}

/**
 * Read a file through openSource; `afterFirstBatch` runs once, after the first batch came out
 * (records of the start of the file have been handed over; the reader is at most a few MB ahead).
 */
async function readWith(source: InputSource, afterFirstBatch?: () => void): Promise<Drained> {
  const issues: IngestIssue[] = [];
  const records: RawRecord[] = [];
  const opened = openSource(source, DEFAULT_INGEST_LIMITS, (i) => issues.push(i), { highWaterMark: 64 * 1024 });
  let first = true;
  for await (const batch of opened.batches()) {
    records.push(...batch);
    if (first) {
      first = false;
      afterFirstBatch?.();
    }
  }
  return { records, issues, opened };
}

const fileSource = (p: string): InputSource => ({ path: p, kind: 'file', size: fs.statSync(p).size });

// 100 000 lines of 160 bytes: 16 MB, far more than the reader buffers ahead (4 MiB queue + one chunk)
// once the first batch (4096 records, ~0.7 MB) is out; changes at 9.6 MB are met by the reader.
const N = 100_000;
const CUT_LINES = 60_000;

describe('a file that changes while it is read', () => {
  it('truncated mid-line: the whole lines before the cut are kept, the cut line and the shrink are reported', async () => {
    const p = tmp.file('big.ndjson', lines('t', N));
    const cutAt = CUT_LINES * LINE + 37;
    const r = await readWith(fileSource(p), () => fs.truncateSync(p, cutAt));
    expect(r.records).toHaveLength(CUT_LINES);
    expect(r.records.at(-1)!.source).toEqual({ file: p, line: CUT_LINES });
    // The shrink is found when the read ends; the cut line when the reader is flushed after it.
    expect(r.issues.map((i) => [i.kind, i.line])).toEqual([
      ['file-shrank', undefined],
      ['malformed-json', CUT_LINES + 1],
    ]);
    expect(r.issues[1]!.message).toMatch(/no newline at end of input/);
    expect(r.issues[0]).toMatchObject({ file: p, message: expect.stringMatching(/shrank while it was read/) as unknown as string });
    expect(r.opened.stats.bytes).toBe(cutAt);
  });

  it('truncated at a line boundary: no line is cut, and the shrink is still reported', async () => {
    const p = tmp.file('big.ndjson', lines('t', N));
    const r = await readWith(fileSource(p), () => fs.truncateSync(p, CUT_LINES * LINE));
    expect(r.records).toHaveLength(CUT_LINES);
    expect(r.issues.map((i) => i.kind)).toEqual(['file-shrank']);
    expect(r.issues[0]!.file).toBe(p);
  });

  it('appended to: the file is read as it was listed, and the growth is reported (every pass and thread sees the same bytes)', async () => {
    const p = tmp.file('grow.ndjson', lines('g', N));
    const r = await readWith(fileSource(p), () => fs.appendFileSync(p, `${lines('g', 1000, N)}{"timestamp":"2025-03-1`));
    expect(r.records).toHaveLength(N);
    expect(r.records.map((x) => x.source.line)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(r.issues.map((i) => [i.kind, i.line])).toEqual([['file-changed', undefined]]);
    expect(r.issues[0]!.message).toMatch(/grew while it was read: the 15\.3 MiB it held when the inputs were listed were analysed, the 156 KiB written since were not/);
  });

  it('deleted while open: what was opened is read to its end (the data lives until closed)', async () => {
    const p = tmp.file('gone.ndjson', lines('d', N));
    const r = await readWith(fileSource(p), () => fs.unlinkSync(p));
    expect(fs.existsSync(p)).toBe(false);
    expect(r.records).toHaveLength(N);
    expect(r.issues).toEqual([]);
  });
});

describe('a file deleted between the folder walk and its open', () => {
  function folder(): { root: string; a: string; b: string; c: string } {
    const a = tmp.file('logs/a.ndjson', lines('a', 50));
    const b = tmp.file('logs/b.ndjson', lines('b', 50, 50));
    const c = tmp.file('logs/c.ndjson', lines('c', 50, 100));
    return { root: path.join(tmp.dir, 'logs'), a, b, c };
  }

  it('ingest: the vanished file is one not-found issue naming it; the others are read in full', async () => {
    const { root, a, b, c } = folder();
    const { sources, issues: walkIssues } = await expandInputs([root]);
    expect(walkIssues).toEqual([]);
    expect(sources.map((s) => s.path)).toEqual([a, b, c]);
    fs.unlinkSync(b);
    const perFile: Record<string, number> = {};
    const issues: IngestIssue[] = [];
    for (const s of sources) {
      const r = await readWith(s);
      perFile[path.basename(s.path)] = r.records.length;
      issues.push(...r.issues);
    }
    expect(perFile).toEqual({ 'a.ndjson': 50, 'b.ndjson': 0, 'c.ndjson': 50 });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'not-found', file: b });
    expect(issues[0]!.message).toContain('b.ndjson');
  });

  const streamOpts = (root: string) => ({ inputs: [root], include: [], exclude: [], map: {}, limits: DEFAULT_INGEST_LIMITS });

  async function drainEvents(stream: Awaited<ReturnType<typeof openEventStream>>): Promise<string[]> {
    const users: string[] = [];
    for await (const batch of stream.batches) for (const e of batch) users.push(e.user ?? '?');
    return users;
  }

  it('analyze event stream, deleted before the first look: the run ends with the events of the others', async () => {
    const { root, b } = folder();
    const expanded = await expandInputs([root]);
    fs.unlinkSync(b);
    const issues: IngestIssue[] = [];
    const stream = await openEventStream(streamOpts(root), (i) => issues.push(i), expanded);
    const users = await drainEvents(stream);
    expect(users.filter((u) => u === 'a')).toHaveLength(50);
    expect(users.filter((u) => u === 'c')).toHaveLength(50);
    expect(users).not.toContain('b');
    expect(issues.map((i) => [i.kind, i.file])).toEqual([['not-found', b]]);
  });

  it('analyze event stream, deleted after the first look (each file is peeked for its first time, then re-opened): reported, others kept', async () => {
    const { root, b } = folder();
    const issues: IngestIssue[] = [];
    const stream = await openEventStream(streamOpts(root), (i) => issues.push(i));
    fs.unlinkSync(b);
    const users = await drainEvents(stream);
    expect(users.filter((u) => u === 'a')).toHaveLength(50);
    expect(users.filter((u) => u === 'c')).toHaveLength(50);
    expect(issues.map((i) => [i.kind, i.file])).toEqual([['not-found', b]]);
  });
});

describe('special entries in a folder', () => {
  it('a FIFO is skipped as not a regular file (the walk never opens it, so never blocks on it)', async () => {
    const a = tmp.file('logs/a.ndjson', lines('a', 3));
    const fifo = path.join(tmp.dir, 'logs', 'pipe.ndjson');
    execFileSync('mkfifo', [fifo]);
    const { sources, issues } = await expandInputs([path.join(tmp.dir, 'logs')]);
    expect(sources.map((s) => s.path)).toEqual([a]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'unreadable', file: fifo });
    expect(issues[0]!.message).toMatch(/not a regular file/);
  });

  it('a folder named like a log file is walked as a folder; a file that is gone since is not-found', async () => {
    const inner = tmp.file('logs/x.ndjson/inner.ndjson', lines('x', 2));
    fs.symlinkSync(path.join(tmp.dir, 'nowhere.ndjson'), path.join(tmp.dir, 'logs', 'dangling.ndjson'));
    const { sources, issues } = await expandInputs([path.join(tmp.dir, 'logs')]);
    expect(sources.map((s) => s.path)).toEqual([inner]);
    expect(issues.map((i) => i.kind)).toEqual(['not-found']);
  });
});

describe('bounded work per line', () => {
  it('a line nested millions deep is refused before JSON.parse builds it; the next line is read', async () => {
    const depth = 2_000_000;
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const parse = vi.spyOn(JSON, 'parse');
    let c: Awaited<ReturnType<typeof readChunks>>;
    try {
      c = await readChunks([`{"a":1}\n${deep}\n{"b":2}\n{"x":${'{"y":'.repeat(300_000)}1${'}'.repeat(300_000)}}\n{"c":3}\n`]);
      // Parsing first (the old order) built 2.3 million arrays and objects (over a second, hundreds
      // of MB) only to drop them: the deep lines must never reach JSON.parse.
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 100_000)).toEqual([]);
    } finally {
      parse.mockRestore();
    }
    expect(c.records.map((r) => r.value)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
    expect(c.issues.map((i) => [i.kind, i.line])).toEqual([
      ['too-deep', 2],
      ['too-deep', 4],
    ]);
  });

  it('invalid UTF-8 is replaced, the record kept, and each line counted once per file', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"u":"a\xff"}\n', 'latin1'),
      Buffer.from('{"u":"ok €"}\n'),
      Buffer.from('{"u":"b'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('"}\n{"u":"\ufffd is a real replacement character"}\n'),
    ]);
    const c = await readChunks([bad]);
    expect(c.records.map((r) => r.value)).toEqual([{ u: 'a\ufffd' }, { u: 'ok €' }, { u: 'b\ufffd' }, { u: '\ufffd is a real replacement character' }]);
    expect(c.issues.map((i) => [i.kind, i.line])).toEqual([
      ['invalid-utf8', 1],
      ['invalid-utf8', 3],
    ]);
    expect(c.stats.issues).toEqual({ 'invalid-utf8': 2 });
    expect(c.stats.malformed).toBe(0);
  });
});
