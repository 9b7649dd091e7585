import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectMode } from '../../src/ingest/index.js';
import { fixture, issueView, readChunks, split, view, type Collected } from './helpers.js';

const CORPUS: Record<string, string | Buffer> = {
  ndjson: fixture('flat.ndjson'),
  mixed: '\ufeff{"a":"é✓𝄞"}\r\n\r\nplain text\n{"b":1,}\n caddy | {"c":2}\n{"d":"\\"quoted\\" \\\\"}\n{"e":[1,{"f":"}"}]}\n{"tail":',
  long: `{"a":1}\n{"x":"${'L'.repeat(300)}"}\n{"a":2}\n{"y":"${'M'.repeat(250)}"}`,
  deep: `{"a":1}\n${'['.repeat(12)}${']'.repeat(12)}\n{"a":2}\n`,
  invalidUtf8: Buffer.concat([Buffer.from('{"u":"a'), Buffer.from([0xe2, 0x82]), Buffer.from('"}\n{"u":"€"}\n')]),
  array: '[\n {"a":1},\n {"a":"]\\"[{"},\n 3,\n "s",\n {"b":[[],{}]}\n]\n[{"second":true}]',
  pretty: `${JSON.stringify({ a: 1, b: { c: [1, 2, 3] } }, null, 2)}\n${JSON.stringify({ a: 2 }, null, 4)}\noops\n{"x":1}{"y":2}`,
  cloudtrail: fixture('cloudtrail-records.json'),
  azure: fixture('azure-records.json'),
  cloudwatch: fixture('cloudwatch-subscription.json'),
  cloudwatchFilter: fixture('cloudwatch-filter-log-events.json'),
  otlpLogs: fixture('otlp-logs.json'),
  otlpSpans: fixture('otlp-spans.json'),
  eventbridge: fixture('eventbridge.json'),
  truncatedArray: '[{"a":1},{"a":2},{"a":"unterminated',
  weakNotEnvelope: JSON.stringify({ user: 'x', events: [{ type: 'a' }], records: [1] }, null, 2),
  gzip: Buffer.concat([zlib.gzipSync('{"g":1}\n{"g":2}\n'), zlib.gzipSync('{"g":3}\n')]),
};

const LIMITS = { maxLineBytes: 200, maxDepth: 8 };

function summary(c: Collected): unknown {
  return { records: view(c), issues: issueView(c), container: c.stats.container, records_n: c.stats.records, malformed: c.stats.malformed };
}

describe('chunk-boundary independence', () => {
  for (const [name, content] of Object.entries(CORPUS)) {
    it(`${name}: same records, lines and issues for any chunk size`, async () => {
      const whole = await readChunks([typeof content === 'string' ? Buffer.from(content) : content], LIMITS);
      const ref = summary(whole);
      for (const size of [1, 2, 3, 5, 8, 13, 64, 1000]) {
        const c = await readChunks(split(content, size), LIMITS);
        expect(summary(c), `chunk size ${size}`).toEqual(ref);
      }
    });
  }

  it('property: random splits of random inputs give what one chunk gives (fixed seed)', async () => {
    const fragment = fc.oneof(
      fc.constantFrom(...Object.values(CORPUS).filter((v): v is string => typeof v === 'string')),
      fc.json().map((j) => `${j}\n`),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('\n', '\r\n', '{', '}', '[', ']', '"', '\\', ',', ':', ' '),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), async (parts, cuts) => {
        const buf = Buffer.from(parts.join(''));
        const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(buf.subarray(prev, p));
          prev = p;
        }
        chunks.push(buf.subarray(prev));
        const whole = await readChunks([buf], LIMITS);
        const cut = await readChunks(chunks, LIMITS);
        expect(summary(cut)).toEqual(summary(whole));
      }),
      { seed: 20240501, numRuns: 300 },
    );
  });

  it('property: NDJSON of objects and junk lines matches a JSON.parse-per-line oracle (fixed seed)', async () => {
    const reserved = new Set(['Records', 'records', 'logEvents', 'events', 'resourceLogs', 'resourceSpans', 'detail', '__proto__']);
    const key = fc.string({ unit: 'binary', maxLength: 8 }).filter((k) => !reserved.has(k));
    const obj = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
    const junk = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `text ${s.replace(/[{\n\r\u2028\u2029]/g, '')}`);
    const line = fc.oneof({ weight: 4, arbitrary: obj.map((o) => ({ kind: 'obj' as const, text: JSON.stringify(o), o })) }, { weight: 1, arbitrary: junk.map((t) => ({ kind: 'junk' as const, text: t, o: null })) }, fc.constant({ kind: 'blank' as const, text: '', o: null }));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.integer({ min: 1, max: 97 }), async (ls, eol, size) => {
        // the first non-blank line must be an object for the content to be NDJSON
        const first = ls.findIndex((l) => l.kind !== 'blank');
        fc.pre(first !== -1 && ls[first]?.kind === 'obj');
        const text = ls.map((l) => l.text + eol).join('');
        const c = await readChunks(split(text, size));
        const expected = ls.flatMap((l, i) => (l.kind === 'obj' ? [{ v: JSON.parse(l.text) as unknown, line: i + 1 }] : []));
        expect(view(c)).toEqual(expected);
        expect(issueView(c)).toEqual(ls.flatMap((l, i) => (l.kind === 'junk' ? [{ kind: 'not-json', line: i + 1 }] : [])));
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('container detection', () => {
  const d = (s: string, eof = true): string | null => detectMode(Buffer.from(s), eof);
  it('tells NDJSON from documents by the first line', () => {
    expect(d('{"a":1}\n{"a":2}\n')).toBe('ndjson');
    expect(d('  \n\n{"a":1}')).toBe('ndjson');
    expect(d('[{"a":1}]')).toBe('document');
    expect(d('{\n  "a": 1\n}')).toBe('document');
    expect(d('{"records":[\n{"a":1},\n{"a":2}]}')).toBe('document');
    expect(d('{"detail":\n{"a":1}}')).toBe('document');
    expect(d('{"a":1}{"a":2}\n')).toBe('document');
    expect(d('{"a":"cut\n{"a":2}\n')).toBe('ndjson');
    expect(d('{"a":1,\n{"a":2}\n')).toBe('ndjson');
    expect(d('{"a":1\n{"a":2}\n')).toBe('ndjson');
    expect(d('caddy | {"a":1}\n')).toBe('ndjson');
    expect(d('hello\n')).toBe('ndjson');
    expect(d('')).toBe('ndjson');
  });
  it('waits for more bytes when it cannot tell yet', () => {
    expect(d('{"a":', false)).toBeNull();
    expect(d('{"a":1}', false)).toBeNull();
    expect(d('{"a":[\n', false)).toBeNull();
    expect(d('[{', false)).toBe('document');
    expect(d('[\n', false)).toBe('document');
    // `[` then a digit: a JSON array of numbers, or a text log's bracketed time (Envoy's).
    expect(d('[', false)).toBeNull();
    expect(d('[2025-06-02T08:00:00.000Z', false)).toBeNull();
    expect(d('[2025-06-02T08:00:00.000Z] "GET /a HTTP/1.1" 200 - 0 1 2 3', false)).toBe('ndjson');
    expect(d('[2025, 6, 2]\n', false)).toBe('document');
    expect(d('[2025-06-02T08:00:00.000Z] "GET /a HTTP/1.1" 200 - 0 1 2 3\n')).toBe('ndjson');
  });
});
