import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { GUNZIP_CHUNK } from '../../src/ingest/source.js';
import { openSource } from '../../src/ingest/index.js';
import { Sink } from '../../src/ingest/sink.js';
import type { IngestIssue } from '../../src/ingest/types.js';
import { issueView, limits, readChunks, readFile, split, tempDir } from './helpers.js';

let tmp = tempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = tempDir();
});

function lines(from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `{"i":${i},"path":"/api/v1/orders/${i}"}\n`;
  return s;
}

describe('gzip', () => {
  it('is detected by magic bytes, not by name', async () => {
    const p = tmp.file('access.log', zlib.gzipSync(lines(0, 100)));
    const c = await readFile(p);
    expect(c.records).toHaveLength(100);
    expect(c.records[99]?.source).toEqual({ file: p, line: 100 });
    expect(c.stats.gzip).toBe(true);
    expect(c.stats.bytes).toBe(zlib.gzipSync(lines(0, 100)).length);
    expect(c.stats.decompressedBytes).toBe(Buffer.byteLength(lines(0, 100)));
    expect(c.issues).toEqual([]);
    // and a .gz name holding plain text is read as text
    const q = tmp.file('plain.gz', lines(0, 3));
    const d = await readFile(q);
    expect(d.records).toHaveLength(3);
    expect(d.stats.gzip).toBe(false);
  });

  it('reads concatenated gzip members as one stream', async () => {
    const body = Buffer.concat([zlib.gzipSync(lines(0, 10)), zlib.gzipSync(lines(10, 25)), zlib.gzipSync(lines(25, 30))]);
    const c = await readFile(tmp.file('multi.log', body));
    expect(c.records.map((r) => (r.value as { i: number }).i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(c.records[29]?.source.line).toBe(30);
    expect(c.issues).toEqual([]);
  });

  it('reads gzip split into tiny chunks (magic split across chunks)', async () => {
    const c = await readChunks(split(zlib.gzipSync(lines(0, 50)), 1));
    expect(c.records).toHaveLength(50);
    expect(c.stats.gzip).toBe(true);
  });

  it('caps a gzip bomb: records before the cap are kept, one issue, the run survives', async () => {
    const line = '{"a":"bomb","pad":"0000000000000000000000000000000000000000"}\n';
    const big = Buffer.from(line.repeat(200_000)); // ~12.6 MB decompressed
    const gz = zlib.gzipSync(big, { level: 9 });
    expect(gz.length).toBeLessThan(big.length / 100);
    const cap = 1024 * 1024;
    const c = await readFile(tmp.file('bomb.log', gz), { maxDecompressedBytes: cap });
    expect(issueView(c)).toEqual([{ kind: 'decompressed-too-large' }]);
    expect(c.issues[0]?.message).toBe('decompressed size exceeds 1 MiB cap (--max-decompressed); rest of file skipped');
    expect(c.records.length).toBe(Math.floor(cap / line.length));
    expect(c.records.at(-1)?.source.line).toBe(c.records.length);
    expect(c.stats.decompressedBytes).toBe(cap);
    expect(c.stats.skipped['decompressed-too-large']).toBe(1);
  });

  it('reports a truncated gzip stream and keeps what was decoded', async () => {
    const gz = zlib.gzipSync(lines(0, 5000));
    const c = await readFile(tmp.file('trunc.log', gz.subarray(0, Math.floor(gz.length * 0.6))));
    expect(c.issues[0]?.kind).toBe('gzip-error');
    expect(c.issues[0]?.line).toBeUndefined();
    expect(c.issues[0]?.message).toMatch(/unexpected end of file/);
    // the cut last line may be reported as malformed; nothing else
    expect(c.issues.slice(1).every((i) => i.kind === 'malformed-json')).toBe(true);
    expect(c.records.length).toBeGreaterThan(1000);
    expect(c.records.length).toBeLessThan(5000);
    c.records.forEach((r, k) => {
      expect(r.source.line).toBe(k + 1);
      expect((r.value as { i: number }).i).toBe(k);
    });
  });

  it('reports a bad CRC as a gzip error and keeps every record (a file is read again for what zlib dropped)', async () => {
    const n = 20000;
    const gz = Buffer.from(zlib.gzipSync(lines(0, n)));
    gz[gz.length - 6] = (gz[gz.length - 6] as number) ^ 0xff;
    const c = await readFile(tmp.file('crc.log', gz));
    expect(c.issues.map((i) => i.kind)).toEqual(['gzip-error']);
    expect(c.issues[0]!.message).toMatch(/incorrect data check/);
    expect(c.records).toHaveLength(n);
    c.records.forEach((r, k) => expect((r.value as { i: number }).i).toBe(k));
  });

  it('a small file with a bad CRC, whose every byte zlib drops, keeps its records too', async () => {
    const gz = Buffer.from(zlib.gzipSync(lines(0, 40)));
    gz[gz.length - 6] = (gz[gz.length - 6] as number) ^ 0xff;
    const c = await readFile(tmp.file('crc-small.log', gz));
    expect(c.issues.map((i) => i.kind)).toEqual(['gzip-error']);
    expect(c.records.map((r) => (r.value as { i: number }).i)).toEqual(Array.from({ length: 40 }, (_, k) => k));
  });

  it('two members and garbage after them: both members read, the garbage reported', async () => {
    const gz = Buffer.concat([zlib.gzipSync(lines(0, 30)), zlib.gzipSync(lines(30, 60)), Buffer.from('GARBAGE, NOT GZIP')]);
    const c = await readFile(tmp.file('two-plus-junk.log', gz));
    expect(c.issues.map((i) => i.kind)).toEqual(['gzip-error']);
    expect(c.records.map((r) => (r.value as { i: number }).i)).toEqual(Array.from({ length: 60 }, (_, k) => k));
  });

  it('a bad CRC in the first of three members: its records are kept, the later members are not made up', async () => {
    const bad = Buffer.from(zlib.gzipSync(lines(0, 40)));
    bad[bad.length - 6] = (bad[bad.length - 6] as number) ^ 0xff;
    const gz = Buffer.concat([bad, zlib.gzipSync(lines(40, 80)), zlib.gzipSync(lines(80, 120))]);
    const c = await readFile(tmp.file('three.log', gz));
    expect(c.issues.map((i) => i.kind)).toEqual(['gzip-error']);
    expect(c.records.map((r) => (r.value as { i: number }).i)).toEqual(Array.from({ length: 40 }, (_, k) => k));
  });

  it('what is read again still counts against --max-decompressed', async () => {
    const gz = Buffer.from(zlib.gzipSync(lines(0, 200)));
    gz[gz.length - 6] = (gz[gz.length - 6] as number) ^ 0xff;
    const c = await readFile(tmp.file('crc-cap.log', gz), { maxDecompressedBytes: 3000 });
    // The line the cap cut is the last before the error: told with it, not as a malformed line of its own.
    expect(c.issues.map((i) => i.kind).sort()).toEqual(['decompressed-too-large', 'gzip-error']);
    expect(c.issues.find((i) => i.kind === 'gzip-error')!.message).toContain('a line before it that could not be read');
    expect(c.stats.decompressedBytes).toBe(3000);
    expect(c.records.length).toBeGreaterThan(50);
  });

  it('from a stream that cannot be read again (stdin), a bad CRC loses at most one gunzip output chunk', async () => {
    const n = 20000;
    const gz = Buffer.from(zlib.gzipSync(lines(0, n)));
    gz[gz.length - 6] = (gz[gz.length - 6] as number) ^ 0xff;
    const c = await readChunks(split(gz, 65536));
    expect(c.issues.map((i) => i.kind)).toContain('gzip-error');
    expect(c.records.length).toBeGreaterThanOrEqual(n - Math.ceil(GUNZIP_CHUNK / 30) - 1);
    c.records.forEach((r, k) => expect((r.value as { i: number }).i).toBe(k));
  });

  it('what a damaged stream decodes to before zlib notices is told with the gzip error, not as hundreds of malformed lines', async () => {
    const body = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ i, path: `/api/v1/items/${i}`, agent: `client/${i % 7}`, status: 200 })).join('\n') + '\n';
    const gz = Buffer.from(zlib.gzipSync(body));
    for (let k = 0; k < 40; k++) gz[(gz.length >> 1) + k] = (gz[(gz.length >> 1) + k] as number) ^ 0x5a;
    const c = await readFile(tmp.file('damaged.log.gz', gz));
    const kinds = c.issues.map((i) => i.kind);
    expect(kinds).toEqual(['gzip-error']);
    expect(c.issues[0]!.message).toMatch(/^gzip stream error \(.+\) after [\d.]+ KiB decompressed; \d+ lines before it that could not be read \(from line \d+\) are taken as the damaged data, not counted as malformed or skipped; records decoded before it are kept$/);
    expect(c.stats.malformed).toBe(0);
    // The lines before the damage are all there, in order.
    expect(c.records.length).toBeGreaterThan(300);
    c.records.slice(0, 300).forEach((r, k) => expect((r.value as { i: number }).i).toBe(k));
  });

  it('the garbage of a large damaged member is all told with the error, past the lines held with their text', async () => {
    const body = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ i, path: `/api/v1/items/${i}`, agent: `client/${i % 7}` })).join('\n') + '\n';
    const gz = Buffer.from(zlib.gzipSync(body));
    for (let k = 0; k < 40; k++) gz[(gz.length >> 1) + k] = (gz[(gz.length >> 1) + k] as number) ^ 0x5a;
    const c = await readFile(tmp.file('big-damaged.log.gz', gz));
    expect(c.stats.malformed).toBe(0);
    expect(c.stats.skipped['not-json'] ?? 0).toBe(0);
    expect(c.issues.filter((i) => i.kind === 'gzip-error')).toHaveLength(1);
    expect(Number(/; (\d+) lines before it/.exec(c.issues.find((i) => i.kind === 'gzip-error')!.message)?.[1])).toBeGreaterThan(10_000);
  });

  it('a stream cut short decodes correctly up to the cut: the problem lines before it are reported as they are', async () => {
    const rows = lines(0, 400).split('\n');
    rows.splice(390, 0, '{"broken": ');
    const gz = zlib.gzipSync(rows.join('\n'));
    const c = await readFile(tmp.file('cut.log.gz', gz.subarray(0, gz.length - 8)));
    expect(c.issues.map((i) => [i.kind, i.line])).toContainEqual(['malformed-json', 391]);
    expect(c.stats.malformed).toBe(1);
    expect(c.issues.find((i) => i.kind === 'gzip-error')!.message).not.toContain('damaged data');
  });

  it('lines read with bad bytes replaced, and text-log lines, are not taken for damage', async () => {
    const latin = Buffer.concat(Array.from({ length: 300 }, (_, i) => Buffer.from(`{"i":${i},"name":"${i % 10 === 0 ? 'caf\xe9' : 'cafe'}"}\n`, 'latin1')));
    const gz = Buffer.from(zlib.gzipSync(latin));
    gz[gz.length - 6] = (gz[gz.length - 6] as number) ^ 0xff; // a bad CRC: a data error, the data intact
    const c = await readFile(tmp.file('latin.log.gz', gz));
    expect(c.records).toHaveLength(300);
    expect(c.issues.filter((i) => i.kind === 'invalid-utf8')).toHaveLength(30);
    const nginx = Array.from({ length: 200 }, (_, i) => `203.0.113.${i % 50} - - [02/Jun/2025:08:00:${String(i % 60).padStart(2, '0')} +0000] "GET /a/${i} HTTP/1.1" 200 512 "-" "curl/8"`).join('\n') + '\n';
    const ng = Buffer.from(zlib.gzipSync(nginx));
    ng[ng.length - 6] = (ng[ng.length - 6] as number) ^ 0xff;
    const t = await readFile(tmp.file('access.log.gz', ng));
    expect(t.issues.filter((i) => i.kind === 'not-json' && i.textLog !== undefined).length).toBeGreaterThan(0);
  });

  it('a reader left early (an interrupt) still reports the problem lines it held', async () => {
    // A broken line about 30 records before the end of the first gunzip output chunk: the first
    // batch is handed on with it still held (fewer than 50 records have followed it).
    const rows: string[] = [];
    let bytes = 0;
    let broken = 0;
    for (let i = 0; bytes < 3 * GUNZIP_CHUNK; i++) {
      if (broken === 0 && bytes > GUNZIP_CHUNK - 300) {
        rows.push('{"broken": ');
        broken = rows.length;
        bytes += 12;
      }
      rows.push(`{"i":${i}}`);
      bytes += rows[rows.length - 1]!.length + 1;
    }
    const p = tmp.file('early.log.gz', zlib.gzipSync(rows.join('\n') + '\n'));
    const issues: IngestIssue[] = [];
    const it = openSource({ path: p, kind: 'file' }, limits(), (i) => issues.push(i)).batches()[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(first.value!.length).toBeGreaterThan(broken - 1);
    expect(issues).toEqual([]);
    await it.return!();
    expect(issues.map((i) => [i.kind, i.line])).toEqual([['malformed-json', broken]]);
  });

  it('past the lines held compactly, what was held is reported and holding starts again', () => {
    const issues: IngestIssue[] = [];
    const stats = { path: 'x.gz', container: 'ndjson', gzip: true, bytes: 0, records: 0, malformed: 0, skipped: {} };
    const sink = new Sink('x.gz', limits(), stats, (i) => issues.push(i));
    sink.holdProblemLines();
    const held = 10_000 + 1_000_000;
    for (let line = 1; line <= held + 1; line++) sink.issue('malformed-json', line, 'malformed JSON');
    expect(issues).toHaveLength(held);
    expect(stats.malformed).toBe(held);
    expect(issues[held - 1]).toMatchObject({ kind: 'malformed-json', line: held });
    expect(sink.foldHeld()).toEqual({ count: 1, firstLine: held + 1 });
  });

  it('a malformed line inside an intact gzip file is still reported as one, at its line', async () => {
    const rows = lines(0, 200).split('\n');
    rows.splice(100, 0, '{"broken": ');
    const c = await readFile(tmp.file('one-bad.log.gz', zlib.gzipSync(rows.join('\n'))));
    expect(c.issues.map((i) => [i.kind, i.line])).toEqual([['malformed-json', 101]]);
    expect(c.stats.malformed).toBe(1);
    // And the last line, when it is the broken one (released at the clean end).
    const last = await readFile(tmp.file('last-bad.log.gz', zlib.gzipSync(lines(0, 10) + '{"cut": ')));
    expect(last.issues.map((i) => i.kind)).toEqual(['malformed-json']);
  });

  it('treats bytes that only start like gzip as a gzip error, not an exception', async () => {
    const c = await readFile(tmp.file('fake.log', Buffer.from([0x1f, 0x8b, 0x00, 0x01, 0x02, 0x03])));
    expect(c.records).toEqual([]);
    expect(c.issues.map((i) => i.kind)).toEqual(['gzip-error']);
  });

  it('gunzips a gzipped JSON envelope and streams it', async () => {
    const doc = { Records: Array.from({ length: 50 }, (_, i) => ({ eventID: `e${i}` })) };
    const c = await readFile(tmp.file('ct.json.gz', zlib.gzipSync(JSON.stringify(doc))), {}, 64);
    expect(c.records).toHaveLength(50);
    expect(c.stats.container).toBe('cloudtrail-records');
  });
});
