/**
 * Following growing files (`apilog analyze --follow`): growth, partial lines, rotation by rename,
 * truncation, gzip read once, starting at the end, and streams. The follower never waits, so these
 * tests append and poll by hand: no timers, no sleeps.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { followFile, followStream, type Follower } from '../../src/ingest/follow.js';
import type { IngestIssue, RawRecord } from '../../src/ingest/types.js';
import { limits, tempDir } from './helpers.js';

const line = (n: number): string => `${JSON.stringify({ n, path: `/api/items/${n}` })}\n`;
const ns = (records: RawRecord[]): number[] => records.map((r) => (r.value as { n: number }).n);

let cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups) c();
  cleanups = [];
});

function setup(): { dir: string; file: (name: string, content: string | Buffer) => string } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t;
}

function follow(p: string, opts: Parameters<typeof followFile>[3] = {}): { f: Follower; issues: IngestIssue[]; notes: string[] } {
  const issues: IngestIssue[] = [];
  const notes: string[] = [];
  const f = followFile(p, limits(), (i) => issues.push(i), { onNote: (m) => notes.push(m), ...opts });
  cleanups.push(() => void f.close());
  return { f, issues, notes };
}

/** Poll until caught up (a poll reads at most its budget), plus a settle, collecting records. */
async function drain(f: Follower): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for (let i = 0; i < 1000; i++) {
    out.push(...(await f.poll()));
    if (f.caughtUp) break;
  }
  out.push(...f.settle());
  return out;
}

describe('followFile', () => {
  it('reads the history, then each appended line, with batch-mode line numbers', async () => {
    const t = setup();
    const p = t.file('app.log', line(1) + line(2));
    const { f } = follow(p);
    const first = await drain(f);
    expect(ns(first)).toEqual([1, 2]);
    expect(first.map((r) => r.source)).toEqual([
      { file: p, line: 1 },
      { file: p, line: 2 },
    ]);
    expect(await drain(f)).toEqual([]);
    fs.appendFileSync(p, line(3));
    const more = await drain(f);
    expect(ns(more)).toEqual([3]);
    expect(more[0]!.source.line).toBe(3);
    expect(f.stats.records).toBe(3);
    expect(f.stats.bytes).toBe(fs.statSync(p).size);
  });

  it('a short file is read before the 8 KiB encoding sniff is complete (settle)', async () => {
    const t = setup();
    const p = t.file('small.log', line(1));
    const { f } = follow(p);
    expect(ns(await f.poll())).toEqual([]); // the sniff is still waiting for bytes
    expect(f.caughtUp).toBe(true);
    expect(ns(f.settle())).toEqual([1]);
  });

  it('keeps a partial last line until its newline arrives', async () => {
    const t = setup();
    const p = t.file('app.log', line(1));
    const { f, issues } = follow(p);
    expect(ns(await drain(f))).toEqual([1]);
    const l2 = line(2);
    fs.appendFileSync(p, l2.slice(0, 10));
    expect(await drain(f)).toEqual([]);
    fs.appendFileSync(p, l2.slice(10, -1));
    expect(await drain(f)).toEqual([]);
    fs.appendFileSync(p, '\n' + line(3).slice(0, 5));
    const r = await drain(f);
    expect(ns(r)).toEqual([2]);
    expect(r[0]!.source.line).toBe(2);
    expect(issues).toEqual([]);
  });

  it('reads across tiny read chunks and a per-poll budget', async () => {
    const t = setup();
    const body = Array.from({ length: 50 }, (_, i) => line(i)).join('');
    const p = t.file('app.log', body);
    const { f } = follow(p, { chunkBytes: 7, maxBytesPerPoll: 64 });
    const first = await f.poll();
    expect(f.caughtUp).toBe(false); // 64 bytes of a longer file
    const rest = await drain(f);
    expect(ns([...first, ...rest])).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('reports malformed lines with file and line as in batch mode', async () => {
    const t = setup();
    const p = t.file('app.log', line(1));
    const { f, issues } = follow(p);
    await drain(f);
    fs.appendFileSync(p, '{"n": 2,\n' + line(3));
    expect(ns(await drain(f))).toEqual([3]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'malformed-json', file: p, line: 2 });
  });

  it('rotation by rename: reads the old file to its end, then the new file from its start', async () => {
    const t = setup();
    const p = t.file('app.log', line(1));
    const { f, notes } = follow(p);
    expect(ns(await drain(f))).toEqual([1]);
    // the writer adds a line, the file is renamed, a last line reaches the old file, a new file starts
    fs.appendFileSync(p, line(2));
    fs.renameSync(p, `${p}.1`);
    fs.appendFileSync(`${p}.1`, line(3));
    // while nothing has the path, the old file is still followed
    expect(ns(await drain(f))).toEqual([2, 3]);
    fs.writeFileSync(p, line(4) + line(5));
    const after = await drain(f);
    expect(ns(after)).toEqual([4, 5]);
    expect(after.map((r) => r.source.line)).toEqual([1, 2]);
    expect(notes.some((n) => n.includes('rotated'))).toBe(true);
    fs.appendFileSync(p, line(6));
    expect(ns(await drain(f))).toEqual([6]);
    expect(f.stats.records).toBe(6);
  });

  it('rotation: a last line without newline in the old file is read when it is left', async () => {
    const t = setup();
    const p = t.file('app.log', line(1) + line(2).trimEnd());
    const { f } = follow(p);
    expect(ns(await drain(f))).toEqual([1]);
    fs.renameSync(p, `${p}.1`);
    fs.writeFileSync(p, line(3));
    expect(ns(await drain(f))).toEqual([2, 3]);
  });

  it('truncation (copytruncate): starts again from the beginning', async () => {
    const t = setup();
    const p = t.file('app.log', line(1) + line(2));
    const { f, notes } = follow(p);
    expect(ns(await drain(f))).toEqual([1, 2]);
    fs.truncateSync(p, 0);
    expect(await drain(f)).toEqual([]);
    fs.appendFileSync(p, line(7));
    const r = await drain(f);
    expect(ns(r)).toEqual([7]);
    expect(r[0]!.source.line).toBe(1);
    expect(notes.some((n) => n.includes('truncated'))).toBe(true);
  });

  it('truncated and rewritten shorter between two polls is noticed too', async () => {
    const t = setup();
    const p = t.file('app.log', line(100) + line(101) + line(102));
    const { f } = follow(p);
    await drain(f);
    fs.writeFileSync(p, line(1));
    expect(ns(await drain(f))).toEqual([1]);
  });

  it('truncated and written again past its old size between two polls is noticed (copytruncate, then a burst)', async () => {
    const t = setup();
    const p = t.file('app.log', line(1) + line(2));
    const { f, notes } = follow(p);
    expect(ns(await drain(f))).toEqual([1, 2]);
    fs.writeFileSync(p, line(10) + line(11) + line(12) + line(13));
    const r = await drain(f);
    expect(ns(r)).toEqual([10, 11, 12, 13]);
    expect(r.map((x) => x.source.line)).toEqual([1, 2, 3, 4]);
    expect(notes.join('\n')).toMatch(/was truncated and written again past where it had been read/);
    // Plain growth afterwards is growth.
    fs.appendFileSync(p, line(14));
    expect(ns(await drain(f))).toEqual([14]);
    expect(notes).toHaveLength(1);
  });

  it('from end: only lines added after following starts, numbered from the top of the file', async () => {
    const t = setup();
    const p = t.file('app.log', line(1) + line(2) + '{"n":3'); // a line still being written
    const { f } = follow(p, { from: 'end' });
    expect(await drain(f)).toEqual([]);
    fs.appendFileSync(p, '}\n' + line(4));
    const r = await drain(f);
    expect(ns(r)).toEqual([3, 4]);
    expect(r.map((x) => x.source.line)).toEqual([3, 4]);
  });

  it('gzip files are read once, whole, and not followed', async () => {
    const t = setup();
    const p = t.file('old.log.gz', gzipSync(line(1) + line(2)));
    const { f } = follow(p);
    expect(ns(await drain(f))).toEqual([1, 2]);
    expect(f.ended).toBe(true);
    expect(f.stats.gzip).toBe(true);
    expect(await drain(f)).toEqual([]);
  });

  it('close() stops where reading stopped and reads a last line without newline as batch mode does', async () => {
    const t = setup();
    const p = t.file('app.log', line(1) + line(2) + line(3).trimEnd());
    const { f } = follow(p);
    expect(ns(await drain(f))).toEqual([1, 2]);
    fs.appendFileSync(p, '\n' + line(4)); // not read: the run was stopped before it
    expect(ns(await f.close())).toEqual([3]);
    expect(f.ended).toBe(true);
    expect(await f.poll()).toEqual([]);
  });

  it('a file that does not exist yet is waited for, said once, and read from its start when it appears (even from end)', async () => {
    const t = setup();
    const p = path.join(t.dir, 'later.log');
    const { f, issues, notes } = follow(p, { from: 'end' });
    expect(await drain(f)).toEqual([]);
    expect(await drain(f)).toEqual([]);
    expect(f.ended).toBe(false);
    expect(issues).toEqual([]);
    expect(notes).toEqual([`${p} does not exist (yet); following it once it appears`]);
    fs.writeFileSync(p, line(1) + line(2));
    const r = await drain(f);
    expect(ns(r)).toEqual([1, 2]);
    expect(r.map((x) => x.source.line)).toEqual([1, 2]);
  });

  it('a file that disappears and comes back is picked up again', async () => {
    const t = setup();
    const p = t.file('app.log', line(1));
    const { f } = follow(p);
    await drain(f);
    fs.unlinkSync(p);
    expect(await drain(f)).toEqual([]);
    fs.writeFileSync(path.join(path.dirname(p), 'app.log'), line(2));
    expect(ns(await drain(f))).toEqual([2]);
  });
});

describe('followStream', () => {
  it('reads records as the bytes arrive, until the stream ends', async () => {
    const s = new PassThrough();
    const issues: IngestIssue[] = [];
    const f = followStream(s, '-', limits(), (i) => issues.push(i));
    s.write(line(1) + line(2).slice(0, 4));
    await new Promise((r) => setImmediate(r));
    expect(ns(await f.poll())).toEqual([]);
    expect(ns(f.settle())).toEqual([1]);
    s.write(line(2).slice(4));
    await new Promise((r) => setImmediate(r));
    expect(ns(await f.poll())).toEqual([2]);
    expect(f.ended).toBe(false);
    s.end(line(3).trimEnd());
    await new Promise((r) => setImmediate(r));
    expect(ns(await f.poll())).toEqual([3]);
    expect(f.ended).toBe(true);
    expect(issues).toEqual([]);
  });

  it('gzip on a stream is reported, not decompressed', async () => {
    const s = new PassThrough();
    const issues: IngestIssue[] = [];
    const f = followStream(s, '-', limits(), (i) => issues.push(i));
    s.end(gzipSync(line(1)));
    await new Promise((r) => setImmediate(r));
    expect(await f.poll()).toEqual([]);
    expect(issues[0]?.message).toContain('gunzip');
  });
});
