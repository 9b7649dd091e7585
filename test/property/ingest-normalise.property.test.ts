/**
 * Property tests for the input side: ingest (bytes -> JSON values with file + line) and normalise
 * (JSON values -> ApiEvent), on hostile input. Complements test/ingest/chunking.test.ts (chunk
 * independence of string corpora, NDJSON-of-objects oracle) and test/normalise/normaliser.test.ts
 * (random JSON with auto-detection) with raw bytes, invalid UTF-8, NUL, BOM, CR, over-long and
 * over-deep lines, every forced format, prototype keys, and the canonical types of every event.
 *
 * Fixed seeds, small numRuns: part of `npm test`.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_LIMITS, type IngestIssueKind, type RawRecord } from '../../src/ingest/types.js';
import { CANONICAL_FIELDS, EVENT_BOOKKEEPING_KEYS, type ApiEvent } from '../../src/normalise/event.js';
import { listFormats } from '../../src/normalise/index.js';
import { parseTimestamp } from '../../src/normalise/time.js';
import { analyze } from '../../src/analyze/run.js';
import { issueView, readChunks, view, type Collected } from '../ingest/helpers.js';
import { core, fixturePath, loadFixture, records, run } from '../normalise/helpers.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';

const tempDir = tempDirs();

const SEED = 42;
/** Stop a run (shrinking included) before vitest's 30 s test timeout would hide the counterexample. */
const LIMIT = { interruptAfterTimeLimit: 20_000 };
const NAME = 'input.log';
const LIMITS = { maxLineBytes: 512, maxDepth: 16 };
const SNIFF_BYTES = 8 * 1024;

/** Cut `buf` at the given points (any byte boundary, also inside a UTF-8 sequence). */
function cutAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out;
}

const cuts = fc.array(fc.nat(), { maxLength: 16 });

function summary(c: Collected): unknown {
  return { records: view(c), issues: issueView(c), messages: c.issues.map((i) => i.message), stats: c.stats };
}

// ---------------------------------------------------------------------------------------------
// Ingest

const KINDS: ReadonlySet<IngestIssueKind> = new Set<IngestIssueKind>([
  'malformed-json', 'line-too-long', 'invalid-utf8', 'too-deep', 'decompressed-too-large', 'gzip-error', 'unreadable', 'not-json',
]);
/** Issues about the whole source (no line): a binary file, a broken gzip stream, the gunzip cap. */
const WHOLE_FILE: ReadonlySet<IngestIssueKind> = new Set<IngestIssueKind>(['unreadable', 'gzip-error', 'decompressed-too-large']);
/** What issue messages must not carry (they are printed to terminals): control, bidi and line-separator characters. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;

/**
 * What holds for any input: the read ends (no rejection); every record and issue names the file;
 * line numbers are within the input; an issue without a line is a whole-file one, and an
 * 'unreadable' one only ever means "binary, not read" (an internal error would surface as
 * 'unreadable' too, so this catches reader crashes); messages are short and free of control
 * characters; the per-file counts agree with what was reported.
 */
function checkLocated(c: Collected, newlines: number): void {
  for (const r of c.records) {
    expect(r.source.file).toBe(NAME);
    expect(Number.isInteger(r.source.line)).toBe(true);
    expect(r.source.line).toBeGreaterThanOrEqual(1);
    expect(r.source.line).toBeLessThanOrEqual(newlines + 1);
  }
  const byKind: Partial<Record<IngestIssueKind, number>> = {};
  for (const i of c.issues) {
    expect(i.file).toBe(NAME);
    expect(KINDS.has(i.kind), i.kind).toBe(true);
    byKind[i.kind] = (byKind[i.kind] ?? 0) + 1;
    if (i.line === undefined) {
      expect(WHOLE_FILE.has(i.kind), `${i.kind} without a line: ${i.message}`).toBe(true);
      if (i.kind === 'unreadable') expect(i.message).toMatch(/binary content|archive|compressed/);
    } else {
      expect(Number.isInteger(i.line)).toBe(true);
      expect(i.line).toBeGreaterThanOrEqual(1);
      expect(i.line).toBeLessThanOrEqual(newlines + 1);
    }
    expect(i.message.length).toBeLessThan(300);
    expect(CONTROL.test(i.message), i.message).toBe(false);
  }
  expect(c.stats.records).toBe(c.records.length);
  expect(c.stats.malformed).toBe(byKind['malformed-json'] ?? 0);
  expect(c.stats.issues ?? {}).toEqual(byKind);
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) n++;
  return n;
}

/** Byte soup with JSON-ish punctuation, to reach deeper into the framers than uniform bytes do. */
const soupByte = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 2, arbitrary: fc.constantFrom(...Buffer.from('{}[]":,\\\n\r\t 0123456789.-eEtrufalsn')) },
);
const soup = fc.array(soupByte, { maxLength: 600 }).map((a) => Buffer.from(a));

/** Inputs of every shape ingest sniffs for: raw bytes, BOMs, UTF-16, gzip (whole, cut, with trailing junk), NUL, deep nesting. */
const anyInput: fc.Arbitrary<{ bytes: Buffer; plain: Buffer }> = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((u) => Buffer.from(u)),
  soup,
  fc.tuple(fc.constantFrom('\ufeff', '[', '{', '{"a":1}\n', '[{"a":1},', '{"Records":[', '{"resourceLogs":[', '{\n  "a": ['), soup).map(([p, s]) => Buffer.concat([Buffer.from(p), s])),
  fc.tuple(fc.constantFrom('utf-16le', 'utf-16be'), fc.boolean(), soup).map(([enc, bom, s]) => {
    const text = (bom ? '\ufeff' : '') + '{"a":"\u00e9"}\n' + s.toString('latin1');
    const le = Buffer.from(text, 'utf16le');
    if (enc === 'utf-16le') return le;
    const be = Buffer.from(le);
    be.swap16();
    return be;
  }),
  fc.integer({ min: 1, max: 200_000 }).chain((n) => fc.constantFrom(Buffer.from('['.repeat(n)), Buffer.from(`{"a":${'['.repeat(n)}${']'.repeat(n)}}\n{"b":1}\n`), Buffer.from(`[${'{"a":'.repeat(n)}1${'}'.repeat(n)}]`))),
).map((b) => ({ bytes: b, plain: b }));

const gzipInput: fc.Arbitrary<{ bytes: Buffer; plain: Buffer }> = fc
  .tuple(soup, fc.constantFrom('whole', 'cut', 'trailing'), fc.nat())
  .map(([s, how, at]) => {
    const plain = Buffer.concat([Buffer.from('{"a":1}\n'), s]);
    const gz = zlib.gzipSync(plain);
    if (how === 'cut') return { bytes: gz.subarray(0, 2 + (at % (gz.length - 1))), plain };
    if (how === 'trailing') return { bytes: Buffer.concat([gz, Buffer.from([at & 0xff, 0x00, 0x7b])]), plain };
    return { bytes: gz, plain };
  });

describe('ingest: any byte sequence', () => {
  it('huge and deep values under the default limits: one issue at their line, the next line read', async () => {
    const huge = `{"a":"${'x'.repeat(DEFAULT_INGEST_LIMITS.maxLineBytes + 10)}"}`;
    const deep = (n: number): string => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;
    const cases: Array<[string, string[]]> = [
      [huge, ['line-too-long']],
      [deep(1_000_000), ['too-deep']],
      // never closed: malformed, or too deep when depth is checked first; either way one issue
      [`{"a":${'['.repeat(1_000_000)}`, ['malformed-json', 'too-deep']],
    ];
    for (const [first, kinds] of cases) {
      const text = `{"ok":0}\n${first}\n{"ok":1}\n`;
      for (const size of [64 * 1024, 1024 * 1024]) {
        const c = await readChunks(cutAt(Buffer.from(text), Array.from({ length: Math.ceil(text.length / size) }, (_, i) => i * size)), {}, NAME);
        expect(c.issues).toHaveLength(1);
        expect(kinds).toContain(c.issues[0]!.kind);
        expect(c.issues[0]!.line).toBe(2);
        expect(view(c)).toEqual([{ v: { ok: 0 }, line: 1 }, { v: { ok: 1 }, line: 3 }]);
      }
    }
    // a document of a million nested arrays: the framer reports it, nothing throws
    const doc = await readChunks([Buffer.from(`[${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}]`)], {}, NAME);
    checkLocated(doc, 0);
    expect(doc.issues.map((i) => i.kind)).toEqual(['too-deep']);
  });

  it('ends in records plus located, counted issues, never a rejection; chunking changes nothing (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, cuts, async ({ bytes, plain }, cs) => {
        const whole = await readChunks([bytes], LIMITS, NAME);
        checkLocated(whole, countNewlines(plain));
        const cut = await readChunks(cutAt(bytes, cs), LIMITS, NAME);
        expect(summary(cut)).toEqual(summary(whole));
      }),
      { seed: SEED, numRuns: 300, ...LIMIT },
    );
  });

  it('gzip input, whole, cut short or with junk after it: never a rejection, issues located (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(gzipInput, cuts, async ({ bytes, plain }, cs) => {
        // (a failing gunzip may lose up to one output chunk depending on where input chunks end, so no chunking comparison here)
        const c = await readChunks(cutAt(bytes, cs), LIMITS, NAME);
        checkLocated(c, countNewlines(plain));
        expect(c.stats.gzip).toBe(true);
      }),
      { seed: SEED, numRuns: 40, ...LIMIT },
    );
  });
});

// --- An NDJSON oracle over hostile lines -------------------------------------------------------

/** Keys that make an object a structural envelope (expanded by ingest, tested elsewhere). */
const ENVELOPE_KEYS = new Set(['Records', 'records', 'logEvents', 'events', 'resourceLogs', 'resourceSpans', 'detail']);

/** Strings of any code units, lone surrogates included (JSON.stringify escapes those). */
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('\ud800', '\udfff', 'a\udc00b', '\u2028', '\u0000', '\ufeff', '𝄞'));
const nastyNumber = fc.constantFrom(1e308, -1e308, -0, 5e-324, 2 ** 53 + 1, 1e21, 1.2345678901234568e29);
const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyString, nastyNumber);
const objText = fc
  .dictionary(anyString.filter((k) => !ENVELOPE_KEYS.has(k) && k !== '__proto__'), value, { maxKeys: 4 })
  .map((o) => JSON.stringify(o));
/** Objects with own `__proto__` / `constructor` / `prototype` keys, as only JSON text can make them. */
const poisonText = fc.constantFrom(
  '{"__proto__":{"polluted":"yes"},"a":1}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"},"__proto__":null}',
  '{"a":{"__proto__":[1,2]},"__proto__":"x"}',
);
const blankText = fc.constantFrom('', ' ', '\t', '\r', '\f \v');
const INVALID_UTF8 = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]];

type Line =
  | { kind: 'record'; bytes: Buffer } // JSON object or array: records = its value (an array: one per element)
  | { kind: 'lossy'; bytes: Buffer } // object with invalid UTF-8 inside a string: the record (U+FFFD) and an issue
  | { kind: 'junk'; bytes: Buffer } // text without a brace: not-json (or nothing when only blanks)
  | { kind: 'cut'; bytes: Buffer } // an object cut short: malformed-json
  | { kind: 'long'; bytes: Buffer } // longer than maxLineBytes
  | { kind: 'deep'; bytes: Buffer; depth: number } // nested `depth` levels: too deep past maxDepth
  | { kind: 'nul'; bytes: Buffer } // a raw NUL in a JSON string (malformed) or in text (not-json)
  | { kind: 'blank'; bytes: Buffer };

const txt = (s: string): Buffer => Buffer.from(s, 'utf8');
const lineArb: fc.Arbitrary<Line> = fc.oneof(
  { weight: 6, arbitrary: objText.map((t) => ({ kind: 'record' as const, bytes: txt(t) })) },
  { weight: 1, arbitrary: poisonText.map((t) => ({ kind: 'record' as const, bytes: txt(t) })) },
  { weight: 1, arbitrary: fc.array(fc.oneof(objText, fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v))), { maxLength: 3 }).map((xs) => ({ kind: 'record' as const, bytes: txt(`[${xs.join(',')}]`) })) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...INVALID_UTF8), fc.string({ maxLength: 6 })).map(([a, bad, b]) => ({
      kind: 'lossy' as const,
      bytes: Buffer.concat([txt(`{"k":${JSON.stringify(a).slice(0, -1)}`), Buffer.from(bad), txt(`${JSON.stringify(b).slice(1)}}`)]),
    })),
  },
  {
    weight: 2,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 60 }).map((u) => ({
      kind: 'junk' as const,
      bytes: Buffer.from(u.map((x) => (x === 0x0a || x === 0x7b || x === 0x5b || x === 0 ? 0x78 : x))),
    })),
  },
  { weight: 2, arbitrary: fc.tuple(objText, fc.nat()).map(([t, at]) => ({ kind: 'cut' as const, bytes: txt(t.slice(0, 1 + (at % (t.length - 1)))) })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }).map((n) => ({ kind: 'long' as const, bytes: txt(JSON.stringify({ pad: 'y'.repeat(LIMITS.maxLineBytes + n) })) })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 200 }).map((k) => ({ kind: 'deep' as const, bytes: txt(`{"d":${'['.repeat(k)}${']'.repeat(k)}}`), depth: k + 1 })) },
  { weight: 1, arbitrary: fc.constantFrom('{"a":"x\u0000y"}', 'ab\u0000cd', '\u0000').map((t) => ({ kind: 'nul' as const, bytes: txt(t) })) },
  { weight: 1, arbitrary: blankText.map((t) => ({ kind: 'blank' as const, bytes: txt(t) })) },
);

const firstLine = objText.filter((t) => Buffer.byteLength(t) < 400);
/** ~8.5 KiB of plain records, so NUL bytes after it are past the binary sniff. */
const PAD = Array.from({ length: 85 }, (_, i) => txt(JSON.stringify({ pad: i, text: 'p'.repeat(80) })));

interface Expected {
  records: Array<{ v: unknown; line: number }>;
  issues: Array<{ kind: string; line?: number }>;
}

const isBlankByte = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0c || c === 0x0b;

/** What ingest must make of `lines`, each written with its end of line (`eols[i]`, '' for a last line without one). */
function expected(lines: Line[], eols: string[], bytes: Buffer, bom: boolean): Expected {
  // A NUL byte in the first 8 KiB makes the file binary, unless a BOM said it is text.
  if (!bom && bytes.subarray(0, SNIFF_BYTES).includes(0)) return { records: [], issues: [{ kind: 'unreadable' }] };
  const out: Expected = { records: [], issues: [] };
  lines.forEach((l, i) => {
    const line = i + 1;
    // the length limit counts everything before the \n, trailing blanks and \r included
    const eol = eols[i] ?? '';
    if (l.bytes.length + Math.max(0, eol.length - 1) > LIMITS.maxLineBytes) {
      out.issues.push({ kind: 'line-too-long', line });
      return;
    }
    switch (l.kind) {
      case 'record': {
        const v: unknown = JSON.parse(l.bytes.toString('utf8'));
        for (const x of Array.isArray(v) ? v : [v]) out.records.push({ v: x, line });
        break;
      }
      case 'lossy':
        out.issues.push({ kind: 'invalid-utf8', line });
        out.records.push({ v: JSON.parse(l.bytes.toString('utf8')), line });
        break;
      case 'junk':
        if (!l.bytes.every(isBlankByte)) out.issues.push({ kind: 'not-json', line });
        break;
      case 'cut':
        out.issues.push({ kind: 'malformed-json', line });
        break;
      case 'long':
        out.issues.push({ kind: 'line-too-long', line });
        break;
      case 'deep':
        if (l.depth > LIMITS.maxDepth) out.issues.push({ kind: 'too-deep', line });
        else out.records.push({ v: JSON.parse(l.bytes.toString('utf8')), line });
        break;
      case 'nul':
        out.issues.push({ kind: l.bytes[0] === 0x7b ? 'malformed-json' : 'not-json', line });
        break;
      case 'blank':
        break;
    }
  });
  return out;
}

describe('ingest: NDJSON with hostile lines against a line-by-line oracle', () => {
  it('good records = the valid lines written, each bad line one issue at its line, for any chunking (fixed seed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        firstLine,
        fc.array(lineArb, { maxLength: 40 }),
        fc.array(fc.constantFrom('\n', '\r\n', ' \n', '\t\r\n'), { minLength: 41, maxLength: 41 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        cuts,
        async (first, rest, eols, bom, pad, finalEol, cs) => {
          const lines: Line[] = [{ kind: 'record', bytes: txt(first) }, ...(pad ? PAD.map((b) => ({ kind: 'record' as const, bytes: b })) : []), ...rest];
          const parts: Buffer[] = bom ? [Buffer.from([0xef, 0xbb, 0xbf])] : [];
          // trailing blanks before the newline: JSON allows them, a blank line stays blank (junk keeps a plain \n: its blanks matter)
          const ends = lines.map((l, i) => (i === lines.length - 1 && !finalEol ? '' : l.kind === 'junk' ? '\n' : (eols[i % eols.length] ?? '\n')));
          lines.forEach((l, i) => parts.push(l.bytes, txt(ends[i]!)));
          const bytes = Buffer.concat(parts);
          const want = expected(lines, ends, bytes, bom);
          const got = await readChunks(cutAt(bytes, cs), LIMITS, NAME);
          expect(view(got)).toEqual(want.records);
          expect(issueView(got)).toEqual(want.issues);
          checkLocated(got, countNewlines(bytes));
          expect(got.records.length).toBe(want.records.length);
        },
      ),
      { seed: SEED, numRuns: 120, ...LIMIT },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Normalise

const FORMAT_IDS = ['auto', ...listFormats().map((f) => f.id)];
const FIXTURE_FILES = fs.readdirSync(path.dirname(fixturePath('flat.ndjson'))).filter((f) => f.endsWith('.ndjson') || f.endsWith('.json'));
/** Every record of every format fixture, as plain JSON values. */
const SEEDS: unknown[] = FIXTURE_FILES.flatMap((f) => loadFixture(f).map((r) => r.value));

/** OTel attributes object -> the OTLP array form (`[{key, value:{stringValue|intValue|…}}]`). */
function otlpArray(attrs: Record<string, unknown>): unknown[] {
  const any = (v: unknown): unknown =>
    typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : typeof v === 'number' ? { doubleValue: v } : Array.isArray(v) ? { arrayValue: { values: v.map(any) } } : { stringValue: JSON.stringify(v) };
  return Object.entries(attrs).map(([key, v]) => ({ key, value: any(v) }));
}
for (const v of [...SEEDS]) {
  const a = (v as { attributes?: unknown }).attributes;
  if (a !== null && typeof a === 'object' && !Array.isArray(a)) SEEDS.push({ ...(v as object), attributes: otlpArray(a as Record<string, unknown>) });
}

function deepValue(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

/** Values that stress converters: huge and tiny numbers, non-JSON numbers (OTLP intValue "NaN" becomes NaN), odd strings, deep nesting. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    1e308, -1e308, -0, 0, 5e-324, 2 ** 53 + 1, 1e21, 1e300, -1, 1e22, 8.64e15, 8.64e18 + 1, NaN, Infinity, -Infinity,
    'NaN', 'Infinity', '-Infinity', '1e999', '1e308', '0x10', ' 200 ', '-', '', ' ', '[]', '{}', '0', '200', '99999999999999999999999',
    '1709284502120000000000000', '2024-02-30T00:00:00Z', '9999-12-31T23:59:59.999+14:00', '[15/Jul/2021:05:35:16 +0000]',
    '\ud800', '\udfff', 'x\ud800y', '\u0000', '\u202e', '999.999.999.999', '::ffff:1.2.3.4:80', '[::1]:8080', 'GET /a?b HTTP/1.1',
    true, false, null, [], {}, [null], ['-', ''],
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 20, max: 400 }).map((d) => deepValue(d, 'x')),
);

/** Every [container, key] in a value, containers first. */
function slots(v: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []): Array<[Record<string, unknown> | unknown[], string | number]> {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push([v as Record<string, unknown>, k]);
      slots(x, out);
    }
  }
  return out;
}

/** Timestamps at and past the edges: sub-millisecond, before the epoch, beyond what a Date holds, in every unit. */
const nastyTime: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(1e300, 1e22, 8.64e21, 8.64e21 + 1e9, 5e-324, 0.0004, -1, 0, -0, NaN, Infinity, '1e22', '1e300', '99999999999999999999999999', '0.0004', '0000', '9999-12-31T23:59:59.999-14:00', '0001-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z', '+275761-01-01T00:00:00Z', 'Tue, 31 Dec 9999 23:59:59 GMT'),
  fc.double({ min: -1e30, max: 1e30 }),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map((b) => b.toString()),
);
const TIME_KEY = /time|date|^ts$|stamp|nano|msec|started|start/i;

/** Every [container, key] whose key names a time. */
function timeSlots(v: unknown): Array<[Record<string, unknown>, string]> {
  return slots(v).filter((s): s is [Record<string, unknown>, string] => typeof s[1] === 'string' && TIME_KEY.test(s[1]));
}

/** A seed record with some of its fields replaced by nasty values or removed, and maybe its time fields replaced. */
const mutated: fc.Arbitrary<unknown> = fc
  .tuple(fc.nat({ max: SEEDS.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.boolean(), nasty), { maxLength: 4 }), fc.option(nastyTime, { nil: undefined, freq: 2 }))
  .map(([i, edits, time]) => {
    const rec = structuredClone(SEEDS[i]);
    if (time !== undefined) for (const [box, key] of timeSlots(rec)) box[key] = time;
    for (const [at, remove, v] of edits) {
      const all = slots(rec);
      if (all.length === 0) break;
      const [box, key] = all[at % all.length]!;
      if (remove && !Array.isArray(box)) delete box[key as string];
      else (box as Record<string | number, unknown>)[key] = v;
    }
    return rec;
  });

const POISON = [
  '"__proto__":{"polluted":"yes","method":"DELETE","status":599,"user":"root","ip":"6.6.6.6","timestamp":"2024-01-01T00:00:00Z"}',
  '"constructor":{"prototype":{"polluted":"yes","method":"DELETE"}}',
  '"prototype":{"polluted":"yes"}',
  '"__proto__":null',
  '"__proto__":[{"polluted":"yes"}]',
];
/** OTel semantic-convention attribute names the otel format reads (any a record lacks could be supplied through a prototype). */
const OTEL_NAMES = [
  'client.address', 'http.client_ip', 'network.peer.address', 'net.peer.ip', 'user.id', 'enduser.id', 'user.name', 'user.roles', 'enduser.role',
  'session.id', 'http.request.method', 'http.method', 'url.path', 'http.target', 'url.full', 'http.route', 'url.query', 'server.address',
  'http.host', 'http.response.status_code', 'http.status_code', 'http.response.body.size', 'http.request.body.size', 'user_agent.original', 'http.user_agent',
];
/** OTLP attributes whose key is a prototype name, with values that are objects where strings belong. */
const POISON_ATTRS = [
  `{"key":"__proto__","value":{"stringValue":${JSON.stringify(Object.fromEntries(OTEL_NAMES.map((n) => [n, n === 'client.address' ? '6.6.6.6' : n.endsWith('code') || n.endsWith('size') ? 599 : 'x'])))}}}`,
  '{"key":"__proto__","value":{"arrayValue":{"values":[{"stringValue":"x"}]}}}',
  '{"key":"__proto__","value":null}',
  '{"key":"constructor","value":{"stringValue":{"prototype":{"polluted":"yes"}}}}',
];

/** Offsets just after each `{` and `[` of JSON text that are not inside strings. */
function openings(text: string): Array<{ at: number; brace: boolean }> {
  const out: Array<{ at: number; brace: boolean }> = [];
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') out.push({ at: i + 1, brace: c === '{' });
  }
  return out;
}

/** JSON text of `v` with prototype-named members spliced into some of its objects (and OTLP attribute arrays). */
function poisoned(v: unknown, picks: Array<[number, number, boolean]>): string {
  let text = JSON.stringify(v) ?? 'null';
  for (const [where, which, attrs] of picks) {
    const all = openings(text);
    const inAttrs = all.filter((o) => !o.brace && /"attributes":\[$/.test(text.slice(0, o.at)));
    const spots = attrs && inAttrs.length > 0 ? inAttrs : all.filter((o) => o.brace);
    if (spots.length === 0) break;
    const s = spots[where % spots.length]!;
    const member = s.brace ? POISON[which % POISON.length]! : POISON_ATTRS[which % POISON_ATTRS.length]!;
    const empty = text[s.at] === (s.brace ? '}' : ']');
    text = text.slice(0, s.at) + member + (empty ? '' : ',') + text.slice(s.at);
  }
  return text;
}

/**
 * A format that builds the query string from an object's entries (CloudTrail requestParameters,
 * Kong querystring) faithfully lists a spliced member as one more parameter: drop those.
 */
function withoutPoisonParams<T extends { query?: string }>(e: T): T {
  if (e.query === undefined) return e;
  const kept = e.query.split('&').filter((p) => !/^(__proto__|constructor|prototype)(=|$)/.test(p));
  const { query: _q, ...rest } = e;
  return (kept.length > 0 ? { ...rest, query: kept.join('&') } : rest) as T;
}

const poisonPicks = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 3 });

/** Own properties of the built-in prototypes, to see that nothing was added, removed or replaced. */
function protoSnapshot(): Map<string, unknown> {
  const m = new Map<string, unknown>();
  const protos: Array<[string, object]> = [['Object', Object.prototype], ['Array', Array.prototype], ['Function', Function.prototype], ['String', String.prototype], ['Number', Number.prototype]];
  for (const [name, p] of protos) {
    for (const k of Reflect.ownKeys(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k)!;
      m.set(`${name}.${String(k)}`, 'value' in d ? d.value : d.get);
    }
  }
  return m;
}

function checkPrototypesIntact(before: Map<string, unknown>): void {
  const after = protoSnapshot();
  expect([...after.keys()]).toEqual([...before.keys()]);
  for (const [k, v] of before) expect(after.get(k), k).toBe(v);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

const KEYS = new Set<string>([...CANONICAL_FIELDS, ...EVENT_BOOKKEEPING_KEYS]);
const STRING_FIELDS = ['ip', 'user', 'apiKey', 'sessionId', 'method', 'path', 'route', 'query', 'host', 'userAgent', 'requestId', 'action', 'country'] as const;
const KNOWN_FORMATS = new Set(listFormats().map((f) => f.id));
/** The instants a Date can hold: a larger ts is "finite" but cannot be formatted (toISOString throws). */
const MAX_DATE_MS = 8.64e15;

/** An event carries only canonical fields, each with its canonical type. */
function checkEvent(e: ApiEvent, rec: RawRecord, format: string): void {
  expect(Object.getPrototypeOf(e)).toBe(Object.prototype);
  for (const k of Object.keys(e)) expect(KEYS.has(k), `unexpected key ${k}`).toBe(true);
  // The enrichment slots exist from the start (one shape for every event) but normalising leaves them empty.
  const slots = e as unknown as Record<string, unknown>;
  for (const k of ['template', 'objectIds', 'actor']) expect(slots[k], k).toBeUndefined();
  expect(typeof e.ts).toBe('number');
  expect(Number.isFinite(e.ts), `ts ${e.ts}`).toBe(true);
  expect(e.ts).toBeGreaterThan(0);
  expect(e.ts, `ts ${e.ts} outside the range of Date`).toBeLessThanOrEqual(MAX_DATE_MS);
  expect(Number.isInteger(e.ts)).toBe(true);
  for (const f of STRING_FIELDS) {
    const v = e[f];
    if (v === undefined) continue;
    expect(typeof v, f).toBe('string');
    expect(v.length, f).toBeGreaterThan(0);
    expect(v === '-', f).toBe(false);
  }
  if (e.ip !== undefined) expect(isIP(e.ip), e.ip).not.toBe(0);
  if (e.method !== undefined) expect(e.method).toMatch(/^[^\s/a-z]{1,32}$/);
  // ISO 3166 alpha-2, or Cloudflare's T1 (a Tor exit node).
  if (e.country !== undefined) expect(e.country).toMatch(/^(?:[A-Z]{2}|T1)$/);
  if (e.status !== undefined) {
    expect(Number.isInteger(e.status)).toBe(true);
    expect(e.status).toBeGreaterThanOrEqual(100);
    expect(e.status).toBeLessThanOrEqual(599);
  }
  for (const f of ['bytesOut', 'bytesIn', 'latencyMs'] as const) {
    const v = e[f];
    if (v === undefined) continue;
    expect(typeof v, f).toBe('number');
    expect(Number.isFinite(v) && v >= 0, `${f} ${v}`).toBe(true);
  }
  if (e.roles !== undefined) {
    expect(Array.isArray(e.roles)).toBe(true);
    expect(e.roles.length).toBeGreaterThan(0);
    for (const r of e.roles) expect(typeof r === 'string' && r.length > 0).toBe(true);
  }
  expect(['success', 'failure', 'denied', 'unknown']).toContain(e.auth);
  expect(e.method !== undefined || e.path !== undefined || e.status !== undefined || e.route !== undefined || e.action !== undefined).toBe(true);
  expect(KNOWN_FORMATS.has(e.format), e.format).toBe(true);
  if (format !== 'auto') expect(e.format).toBe(format);
  expect(e.source).toEqual(rec.source);
  expect(e.raw).toBe(rec.value);
}

/** Runs the values through a normaliser with the given format; checks totality and every event. */
function normaliseAll(values: unknown[], format: string): ApiEvent[] {
  const recs = records(values, 'values.ndjson');
  const { events, n } = run(recs, format === 'auto' ? {} : { format });
  const skipped = Object.values(n.skipped).reduce((a, b) => a + b, 0);
  expect(events.length + skipped).toBe(values.length);
  for (const e of events) checkEvent(e, recs[e.source.line - 1]!, format);
  return events;
}

describe('normalise: total over arbitrary values, for every format', () => {
  const before = protoSnapshot();
  afterAll(() => checkPrototypesIntact(before));

  it('never throws; events have only canonical fields of canonical types (auto and each forced format; fixed seed)', () => {
    const item = fc.oneof({ weight: 3, arbitrary: mutated }, { weight: 1, arbitrary: nasty }, { weight: 1, arbitrary: fc.tuple(mutated, poisonPicks).map(([v, p]) => JSON.parse(poisoned(v, p)) as unknown) });
    let events = 0;
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 30 }), fc.subarray(FORMAT_IDS, { minLength: 3 }), (values, formats) => {
        for (const f of formats) events += normaliseAll(values, f).length;
        checkPrototypesIntact(before);
      }),
      { seed: SEED, numRuns: 150, ...LIMIT },
    );
    // not vacuous: the mutated fixtures do map to events
    expect(events).toBeGreaterThan(300);
  });

  it('__proto__ / constructor / prototype keys (own properties, from JSON text) change no event and no prototype (fixed seed)', () => {
    const seedRecord = fc.oneof(fc.nat({ max: SEEDS.length - 1 }).map((i) => SEEDS[i]), mutated);
    let compared = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(seedRecord, poisonPicks), { minLength: 1, maxLength: 12 }), (items) => {
        // Through JSON text both ways, so the clean and the poisoned value differ only by the spliced members.
        const clean = items.map(([v]) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);
        const dirty = items.map(([v, p]) => JSON.parse(poisoned(v, p)) as unknown);
        for (const format of FORMAT_IDS) {
          const a = normaliseAll(clean, format).map(core);
          const b = normaliseAll(dirty, format).map(core).map(withoutPoisonParams);
          expect(b, format).toEqual(a);
          compared += a.length;
        }
        checkPrototypesIntact(before);
      }),
      { seed: SEED, numRuns: 100, ...LIMIT },
    );
    expect(compared).toBeGreaterThan(500);
  });
});

// ---------------------------------------------------------------------------------------------
// Regressions for what these properties found

describe('regressions', () => {
  it('a numeric timestamp beyond the range of Date (it used to crash the report: "Invalid time value") or truncating to the epoch is no timestamp', () => {
    for (const v of [1e300, 1e22, '1e22', '99999999999999999999999999', 8.64e21 + 1e9, 5e-324, 0.0004, '0.0004']) {
      expect(parseTimestamp(v), String(v)).toBeUndefined();
    }
    // the largest instants still accepted are valid dates
    for (const v of [8.64e21, 1e11 - 1, 99_999_999_999_999]) {
      const t = parseTimestamp(v)!;
      expect(() => new Date(t).toISOString()).not.toThrow();
    }
    const { events, n } = run(records([{ timestamp: 1e300, method: 'GET', path: '/x', status: 200 }, { timestamp: 1.7e9, method: 'GET', path: '/y', status: 200 }]), { format: 'flat' });
    expect(events.map((e) => e.path)).toEqual(['/y']);
    expect(n.skipped).toEqual({ 'no-timestamp': 1 });
  });

  it('analyze() reads a record with a huge epoch timestamp without an internal error', async () => {
    const dir = tempDir('apilog-prop-ts-');
    const file = path.join(dir, 'huge-ts.ndjson');
    fs.writeFileSync(file, '{"timestamp":1e300,"method":"GET","path":"/x","status":200,"ip":"1.2.3.4"}\n{"timestamp":"2024-01-01T00:00:00Z","method":"GET","path":"/y","status":200,"ip":"1.2.3.4"}\n');
    const r = await analyze(analyzeOptions([file]));
    expect(r.summary.events).toBe(1);
    expect(r.summary.timeSpan).toEqual({ start: "2024-01-01T00:00:00.000Z", end: "2024-01-01T00:00:00.000Z" });
  });

  it('a huge duration is a finite latency (rounding to the microsecond used to overflow it to Infinity)', () => {
    const { events } = run(records([{ timestamp: 1.7e9, method: 'GET', path: '/x', status: 200, duration_ms: 1e308 }]), { format: 'flat' });
    expect(events[0]?.latencyMs).toBe(1e308);
  });

  it('an OTLP attribute named "__proto__" cannot supply other attributes (it used to become the prototype of the attributes)', () => {
    const base = '{"timeUnixNano":"1709284502120000000","traceId":"5b8e","attributes":[{"key":"url.path","value":{"stringValue":"/api/orders/1"}},{"key":"http.response.status_code","value":{"intValue":"200"}}';
    const clean = JSON.parse(`${base}]}`) as unknown;
    const dirty = JSON.parse(`${base},{"key":"__proto__","value":{"stringValue":{"http.request.method":"DELETE","user.id":"root","client.address":"6.6.6.6"}}}]}`) as unknown;
    for (const format of ['auto', 'otel']) {
      const [a] = run(records([clean]), { format }).events;
      const [b] = run(records([dirty]), { format }).events;
      expect(a).toBeDefined();
      expect(core(b!)).toEqual(core(a!));
      expect(b!.user).toBeUndefined();
      expect(b!.method).toBeUndefined();
    }
  });
});
