import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { redactFiles, redactRecord, redactString } from '../../src/hygiene/redact.js';
import { HygieneScanner } from '../../src/hygiene/scanner.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/types.js';
import { ROOT } from '../helpers/cli.js';
import { tempDirs } from '../helpers/temp.js';

const tempDir = tempDirs();

const FIXTURE = path.join(ROOT, 'fixtures/hygiene/secrets.ndjson');
const expected = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/hygiene/expected.json'), 'utf8')) as { secrets: string[] };

function keysOf(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object') return [prefix];
  if (Array.isArray(v)) return v.flatMap((x, i) => keysOf(x, `${prefix}[${i}]`));
  return Object.entries(v).flatMap(([k, x]) => keysOf(x, `${prefix}.${k}`));
}

function leaks(text: string): string[] {
  return expected.secrets.filter((s) => (s.length >= 6 ? text.includes(s) : new RegExp(`(?<![0-9])${s}(?![0-9])`).test(text)));
}

describe('redactRecord', () => {
  const records = fs.readFileSync(FIXTURE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);

  it('masks every planted secret, keeps the JSON structure, leaves the input untouched', () => {
    for (const rec of records) {
      const before = JSON.stringify(rec);
      const r = redactRecord(rec);
      expect(JSON.stringify(rec)).toBe(before);
      expect(keysOf(r.value)).toEqual(keysOf(rec));
      expect(leaks(JSON.stringify(r.value))).toEqual([]);
    }
  });

  it('counts the values changed; a clean record comes back as is', () => {
    const clean = { path: '/api/orders', status: 200 };
    expect(redactRecord(clean)).toEqual({ value: clean, changes: 0 });
    const r = redactRecord({ path: '/pay', query: 'card=4111111111111111&cvv=123&x=1', headers: { authorization: 'Bearer abcdef1234567890' } });
    expect(r.changes).toBe(2);
    expect(r.value).toEqual({
      path: '/pay',
      query: 'card=****1111&cvv=[REDACTED cvv]&x=1',
      headers: { authorization: expect.stringMatching(/^Bearer \[REDACTED token len=16 sha256:[0-9a-f]{8}\]$/) },
    });
  });

  it('numbers holding secrets become their mask', () => {
    expect(redactRecord({ cvv: 737, card_number: 4111111111111111 }).value).toEqual({ cvv: '[REDACTED cvv]', card_number: '****1111' });
  });

  it('is idempotent: a redacted record scans clean', () => {
    const sc = new HygieneScanner();
    for (const rec of records) {
      const once = redactRecord(rec).value;
      let found = 0;
      sc.scanRecord(once, () => found++);
      expect(found, JSON.stringify(once).slice(0, 120)).toBe(0);
      expect(redactRecord(once).changes).toBe(0);
    }
  });

  it('shows none of a secret named as the secret half of a credential; an API key keeps its first characters', () => {
    const aws = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const noPrefix = (len: number) => new RegExp(`^\\[REDACTED api-key len=${len} sha256:[0-9a-f]{8}\\]$`);
    const r = redactRecord({ aws_secret_access_key: aws, client_secret: 'Zq7mN2vR8tK4wP9xL3cB6hJ1', api_key: '0123456789abcdef' }).value as Record<string, string>;
    expect(r.aws_secret_access_key).toMatch(noPrefix(40));
    expect(r.client_secret).toMatch(noPrefix(24));
    expect(r.api_key).toMatch(/^01234…\[REDACTED api-key len=16 sha256:[0-9a-f]{8}\]$/);
    expect(redactString(`/cb?secret=${aws}&page=2`, 'url').value).toMatch(/^\/cb\?secret=\[REDACTED api-key len=40 sha256:[0-9a-f]{8}\]&page=2$/);
    // A provider's key under a secret's name keeps the provider's public prefix, which names it.
    expect(redactRecord({ stripe_secret: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc' }).value).toEqual({ stripe_secret: expect.stringMatching(/^sk_live_…\[REDACTED /) });
  });

  it('redactString masks one string', () => {
    expect(redactString('/reset?token=Zx8vN3qP7rT2wY6uB1mK4jH9', 'url').value).toMatch(/^\/reset\?token=\[REDACTED reset-token len=24 sha256:[0-9a-f]{8}\]$/);
  });
});

describe('redactFiles', () => {
  function tmp(): string {
    return tempDir('apilog-redact-');
  }

  it('writes sanitised NDJSON copies under the same relative names, .gz dropped', async () => {
    const src = tmp();
    const out = tmp();
    fs.mkdirSync(path.join(src, 'sub'));
    fs.copyFileSync(FIXTURE, path.join(src, 'a.ndjson'));
    fs.writeFileSync(path.join(src, 'sub', 'b.ndjson.gz'), zlib.gzipSync(fs.readFileSync(FIXTURE)));
    const res = await redactFiles([src], out);
    expect(res.files.map((f) => path.relative(out, f.output!)).sort()).toEqual(['a.ndjson', path.join('sub', 'b.ndjson')]);
    for (const f of res.files) {
      expect(f.records).toBe(41);
      expect(f.recordsChanged).toBeGreaterThan(25);
      const text = fs.readFileSync(f.output!, 'utf8');
      expect(leaks(text)).toEqual([]);
      const lines = text.trim().split('\n');
      expect(lines).toHaveLength(41);
      for (const l of lines) JSON.parse(l);
    }
  });

  it('a file input keeps its base name; the input is never overwritten', async () => {
    const src = tmp();
    const file = path.join(src, 'x.ndjson');
    fs.writeFileSync(file, '{"query":"password=hunter22"}\n');
    const res = await redactFiles([file], src);
    expect(res.files).toEqual([]);
    expect(res.issues[0]!.message).toMatch(/overwrite the input/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"query":"password=hunter22"}\n');
    const out = tmp();
    const ok = await redactFiles([file], out);
    expect(fs.readFileSync(path.join(out, 'x.ndjson'), 'utf8')).toBe('{"query":"password=[REDACTED password]"}\n');
    expect(ok.files[0]).toMatchObject({ records: 1, recordsChanged: 1, changes: 1 });
  });

  it('writes DEL, C1 and bidi controls escaped, as the input had them, not as raw characters', async () => {
    const src = tmp();
    const file = path.join(src, 'ctl.ndjson');
    const line = '{"path":"/a\\u202e\\u009bx\\u007f","status":200}\n';
    fs.writeFileSync(file, line);
    const out = tmp();
    await redactFiles([file], out);
    const copy = fs.readFileSync(path.join(out, 'ctl.ndjson'), 'utf8');
    expect(copy).toBe(line);
    expect(copy).not.toMatch(/[\u007f-\u009f\u202e]/);
  });

  it('a record too deep to write back is left out and named; the rest of the file is copied', async () => {
    const src = tmp();
    const file = path.join(src, 'deep.ndjson');
    const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    fs.writeFileSync(file, `{"path":"/a","status":200}\n{"a":${deep}}\n{"path":"/b","status":200}\n`);
    const out = tmp();
    const res = await redactFiles([file], out, { limits: { ...DEFAULT_INGEST_LIMITS, maxDepth: 30_000 } });
    expect(fs.readFileSync(path.join(out, 'deep.ndjson'), 'utf8')).toBe('{"path":"/a","status":200}\n{"path":"/b","status":200}\n');
    expect(res.issues.map((i) => [i.kind, i.line])).toEqual([['too-deep', 2]]);
    expect(res.files[0]!.skipped).toBe(1);
  });

  it('makes no copy of a file with no record (notes beside the logs), and counts what it did not copy', async () => {
    const src = tmp();
    const out = tmp();
    fs.writeFileSync(path.join(src, 'README.txt'), 'These are our logs.\nSee the wiki.\n');
    fs.writeFileSync(path.join(src, 'a.ndjson'), '{"query":"password=hunter22"}\nnot json\n{"broken":\n');
    const res = await redactFiles([src], out);
    const byName = new Map(res.files.map((f) => [path.basename(f.input), f]));
    expect(byName.get('README.txt')).toMatchObject({ output: null, records: 0, skipped: 2 });
    expect(byName.get('a.ndjson')).toMatchObject({ records: 1, malformed: 1, skipped: 1 });
    expect(fs.readdirSync(out)).toEqual(['a.ndjson']);
  });
});
