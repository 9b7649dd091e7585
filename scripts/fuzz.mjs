#!/usr/bin/env node
// Mutation fuzzer for the apilog CLI. Not part of `npm test`.
//
//   npm run build && npm run fuzz -- --seconds 600 [--seed 7] [--jobs 2] [--keep fuzz-failures]
//   npm run fuzz -- --seed 7 --case 123        replay one case (prints its command and verdict)
//   npm run fuzz -- --cases 500 --seed 7       run a fixed number of cases instead of a time budget
//
// Each case takes one or two logs from fixtures/, applies one to three mutations (bit flips, byte
// insert/delete, truncation, splicing, duplicated lines, deep nesting, giant fields, invalid
// UTF-8, lone surrogates, control characters and ANSI escapes, huge numbers, __proto__ keys, NUL
// bytes, type confusion, envelope wrapping), sometimes re-encodes the result (CRLF, BOM,
// UTF-16, gzip, then a corrupted or truncated gzip), writes it to a temporary folder and runs the
// real CLI on it (`node bin/apilog …`, from a snapshot of bin/ and dist/ taken at start so that a
// rebuild during the run is not mistaken for a crash). A case fails on a crash (an exit code
// apilog does not document, a signal, a stack trace or internal error on stderr), a timeout (a
// hang), or output that is not valid in its format. Case N of seed S is always the same input and
// command, whatever --jobs is. `--self-test` checks the oracles on made-up outputs. See
// docs/reliability.md.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib/gen-events.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The launcher the cases run: bin/apilog of a snapshot of the package (see snapshotPackage). */
let BIN = path.join(ROOT, 'bin/apilog');
const FIXTURES = path.join(ROOT, 'fixtures');

// ---------------------------------------------------------------------------------------------
// Options

function usage(msg) {
  if (msg) process.stderr.write(`fuzz: ${msg}\n`);
  process.stderr.write(
    'usage: npm run fuzz -- --seconds N [--seed S] [--jobs J] [--keep DIR] [--timeout S] [--cases N] [--case N] [--no-minimise] [--verbose] [--self-test]\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const o = { seconds: undefined, seed: undefined, jobs: 2, keep: 'fuzz-failures', timeout: 20, cases: undefined, only: undefined, minimise: true, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) usage(`${name} needs a value`);
      return argv[++i];
    };
    const num = (v, n) => {
      const x = Number(v);
      if (!Number.isFinite(x) || x < 0) usage(`${n} must be a non-negative number, not ${JSON.stringify(v)}`);
      return x;
    };
    switch (name) {
      case '--seconds': o.seconds = num(value(), name); break;
      case '--seed': o.seed = Math.floor(num(value(), name)) >>> 0; break;
      case '--jobs': o.jobs = Math.max(1, Math.floor(num(value(), name))); break;
      case '--keep': o.keep = value(); break;
      case '--timeout': o.timeout = num(value(), name); break;
      case '--cases': o.cases = Math.floor(num(value(), name)); break;
      case '--case': o.only = Math.floor(num(value(), name)); break;
      case '--no-minimise': case '--no-minimize': o.minimise = false; break;
      case '--verbose': case '-v': o.verbose = true; break;
      case '--self-test': o.selfTest = true; break;
      case '--help': case '-h': usage(); break;
      default: usage(`unknown option ${a}`);
    }
  }
  if (o.seconds === undefined && o.cases === undefined && o.only === undefined) o.seconds = 60;
  if (o.only !== undefined) o.verbose = true; // a replay shows its command and exit
  if (o.seed === undefined) o.seed = (Date.now() ^ (process.pid << 8)) % 100000;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness: case N of seed S has its own generator, so parallel runs stay reproducible.

function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function makeRng(seed, caseNo) {
  const next = mulberry32(mix32(seed ^ mix32(caseNo + 0x9e3779b9)));
  const r = {
    next,
    int: (n) => Math.floor(next() * n), // [0, n)
    range: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // [lo, hi]
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    // Small values more often than large ones: sizes, counts.
    skewed: (max) => Math.floor(Math.pow(next(), 3) * max),
  };
  return r;
}

// ---------------------------------------------------------------------------------------------
// Corpus: every JSON / NDJSON / gzip log under fixtures/.

function listCorpus() {
  const out = [];
  const walk = (dir) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (/\.(ndjson|jsonl|json|gz)$/i.test(ent.name)) out.push(p);
    }
  };
  walk(FIXTURES);
  out.sort();
  return out.map((p) => ({ path: p, rel: path.relative(ROOT, p), data: fs.readFileSync(p) }));
}

// ---------------------------------------------------------------------------------------------
// Mutations. Each takes (buf, rng, ctx) and returns a new Buffer.

const MAX_INPUT = 48 * 1024 * 1024;

const TOKENS = ['"', '{', '}', '[', ']', ',', ':', '\\', '\\u', '\n', '\r', '\u0000', 'null', 'true', '-', '1e999', '"a"', '\\"', '{}', '[]', ' ', '\t', '//', '/*'].map((s) => Buffer.from(s));
const BAD_UTF8 = [[0xff], [0xfe], [0xc0, 0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xbf, 0xbf], [0xef, 0xbb, 0xbf], [0xf0, 0x9f, 0x92]].map((b) => Buffer.from(b));
const SURROGATES = ['\\ud800', '\\udfff', '\\udbff\\u0041', '\\udc00\\ud800', '\\ud83d', '\\ud83d\\ude00\\ud83d', '\\uDFFF\\uDBFF'];
const CONTROL_ESCAPES = ['\\u001b[31m', '\\u001b[2J\\u001b[H', '\\u001b]0;pwned\\u0007', '\\u001b]8;;http://evil/\\u001b\\\\', '\\u009b31m', '\\u0007', '\\b\\b\\b', '\\r', '\\u0000', '\\u007f', '\\u0085', '\\u202e', '\\u2066', '\\u2028', '\\u200b', '\\ufeff', '\\u061c', '\\n\\t', '\\u000c', '\\u001b[6n'];
const CONTROL_RAW = ['\x1b[31m', '\x1b]0;pwned\x07', '\x07', '\x08', '\r', '\x7f', '\x0b', '\x0c', '\x1b', '\u009b', '\u202e', '\u2028'].map((s) => Buffer.from(s));
const HUGE_NUMBERS = ['1e309', '-1e309', '1e-400', '123456789012345678901234567890', '9007199254740993', '-0', '0.0000000000000000000000001', '1.7976931348623157e308', '-9223372036854775808', '18446744073709551616', '8640000000000001', '-8640000000000001', '1' + '0'.repeat(400), '0e99999', '1E+2', '00012', '4294967296', '2147483648'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf', 'length'];
const WEIRD_STRINGS = [
  '', ' ', '-', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'null', 'undefined', 'NaN', 'Infinity',
  '0000-00-00T00:00:00Z', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00.001Z', '-271821-04-19T00:00:00Z', '2025-02-30T25:61:61Z',
  '2025-03-12T10:00:00+99:99', '2025-03-12 10:00:00 UTC', '1e400', '17000000000000000000000', 'Invalid Date', '1710237600', '1710237600000000000',
  '::', '::ffff:10.0.0.1', 'fe80::1%eth0', '999.999.999.999', '1.2.3.4:5678', '[::1]:80', '1.2.3.4, 5.6.7.8', '0x7f.1', '127.1', 'unknown',
  '/%', '/%zz', '/%00', '/..%2f..%2f..%2fetc/passwd', '//', '*', 'http://[::1', '/\u202e/evil', '/?__proto__[x]=1&constructor[prototype][y]=2',
  '/api/v1/users/' + '9'.repeat(400), '/a?' + 'a=1&'.repeat(2000), '%'.repeat(300), '\\'.repeat(300), '💥'.repeat(50), 'e\u0301'.repeat(100),
  "' OR 1=1 --", '<script>alert(1)</script>', '${jndi:ldap://x/a}', '=HYPERLINK("http://evil")', '+cmd|calc', '@SUM(1)', '\t=1', '\r=1', ' -1',
  'Bearer ' + 'x'.repeat(5000), '\u0000', '\u001b[31mred', '\ud800', 'a\udc00b',
];
const WEIRD_VALUES = [null, true, false, 0, -0, -1, 1e308, -1e308, 2 ** 53 + 2, 0.5, [], {}, [[[]]], { a: { b: {} } }, [1, 'a', null], JSON.parse('{"__proto__":{"polluted":1}}')];

function stringValueOffsets(buf, max = 4096) {
  // Offsets just after the opening quote of string values (`:"` or `: "`), found cheaply.
  const offs = [];
  for (let i = buf.indexOf(':"'); i !== -1 && offs.length < max; i = buf.indexOf(':"', i + 2)) offs.push(i + 2);
  return offs;
}

function numberOffsets(buf, max = 4096) {
  const offs = [];
  const s = buf.toString('latin1');
  const re = /:\s*(-?\d[\d.eE+-]*)/g;
  let m;
  while ((m = re.exec(s)) && offs.length < max) offs.push([m.index + m[0].length - m[1].length, m[1].length]);
  return offs;
}

function lineStarts(buf) {
  const starts = [0];
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) if (i + 1 < buf.length) starts.push(i + 1);
  return starts;
}

function splitLines(buf) {
  const lines = [];
  let start = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, start)) {
    lines.push(buf.subarray(start, i));
    start = i + 1;
  }
  if (start < buf.length) lines.push(buf.subarray(start));
  return lines;
}

function joinLines(lines, trailing = true) {
  const parts = [];
  for (const l of lines) parts.push(l, Buffer.from('\n'));
  if (!trailing && parts.length) parts.pop();
  return Buffer.concat(parts);
}

function insertAt(buf, off, ins) {
  return Buffer.concat([buf.subarray(0, off), ins, buf.subarray(off)]);
}

/** Insert `ins` inside a random string value if there is one, else at a random offset. */
function insertInString(buf, rng, ins) {
  const offs = stringValueOffsets(buf);
  const off = offs.length ? rng.pick(offs) : rng.int(buf.length + 1);
  return insertAt(buf, off, ins);
}

function giantString(rng, size) {
  const unit = rng.pick(['A', 'a', '/', '../', '%2e%2e%2f', '%', '\\\\', '\\u0000', '\\u001b[31m', "' OR '1'='1", ' ', '0', '9', '.', '<script>', 'é', '💥', 'admin/', '?a=', '&', '=', '\\"', '%00', 'x-', '\\ud800']);
  let s = unit.repeat(Math.max(1, Math.ceil(size / Buffer.byteLength(unit))));
  if (rng.chance(0.3)) s = 'GET /api/v1/users/1 ' + s;
  return s;
}

function parseLineJson(line) {
  try {
    return { ok: true, value: JSON.parse(line.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

/** Walk a parsed value and apply `fn` to random nodes (object properties and array items). */
function mutateTree(value, rng, fn, budget = { n: rng.range(1, 4) }) {
  if (budget.n <= 0 || value === null || typeof value !== 'object') return value;
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  for (const k of keys) {
    if (budget.n <= 0) break;
    if (rng.chance(0.25)) {
      budget.n--;
      fn(value, k);
    } else if (value[k] !== null && typeof value[k] === 'object') {
      mutateTree(value[k], rng, fn, budget);
    }
  }
  return value;
}

/** JSON-aware edit of up to a few lines (or the whole document when it is one JSON value). */
function editJson(buf, rng, edit) {
  const lines = splitLines(buf);
  const whole = lines.length <= 2 || buf.subarray(0, 64).toString('latin1').trimStart().startsWith('[');
  if (whole) {
    const p = parseLineJson(buf);
    if (p.ok) return Buffer.from(JSON.stringify(edit(p.value)) + '\n');
  }
  const n = rng.range(1, Math.min(8, lines.length || 1));
  for (let k = 0; k < n && lines.length; k++) {
    const i = rng.int(lines.length);
    const p = parseLineJson(lines[i]);
    if (p.ok) lines[i] = Buffer.from(JSON.stringify(edit(p.value)));
  }
  return joinLines(lines);
}

const MUTATIONS = {
  bitFlip(buf, rng) {
    if (!buf.length) return Buffer.from([rng.int(256)]);
    const out = Buffer.from(buf);
    for (let n = rng.range(1, 16); n > 0; n--) out[rng.int(out.length)] ^= 1 << rng.int(8);
    return out;
  },
  insertBytes(buf, rng) {
    let out = buf;
    for (let n = rng.range(1, 8); n > 0; n--) {
      const ins = rng.chance(0.6) ? rng.pick(TOKENS) : Buffer.from(Array.from({ length: rng.range(1, 8) }, () => rng.int(256)));
      out = insertAt(out, rng.int(out.length + 1), ins);
    }
    return out;
  },
  deleteBytes(buf, rng) {
    let out = buf;
    for (let n = rng.range(1, 6); n > 0 && out.length; n--) {
      const at = rng.int(out.length);
      const len = rng.chance(0.7) ? rng.range(1, 4) : rng.range(1, Math.max(1, Math.min(4096, out.length - at)));
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
    }
    return out;
  },
  truncate(buf, rng) {
    return buf.subarray(0, rng.int(buf.length + 1));
  },
  splice(buf, rng, ctx) {
    const other = rng.pick(ctx.corpus).data;
    const a = rng.int(buf.length + 1);
    const b = rng.int(other.length + 1);
    return rng.chance(0.5) ? Buffer.concat([buf.subarray(0, a), other.subarray(b)]) : Buffer.concat([buf, other]);
  },
  duplicateLines(buf, rng) {
    const lines = splitLines(buf);
    if (!lines.length) return buf;
    if (rng.chance(0.2)) {
      const times = rng.range(2, Math.max(2, Math.min(6, Math.floor((4 * 1024 * 1024) / (buf.length + 1)))));
      return Buffer.concat(Array(times).fill(buf.length && buf[buf.length - 1] !== 10 ? Buffer.concat([buf, Buffer.from('\n')]) : buf));
    }
    const i = rng.int(lines.length);
    const times = rng.chance(0.3) ? rng.range(1000, 20000) : rng.range(2, 50);
    const copies = Array(times).fill(lines[i]);
    return joinLines([...lines.slice(0, i), ...copies, ...lines.slice(i + 1)]);
  },
  deepNesting(buf, rng) {
    const depth = rng.pick([255, 256, 257, 1000, 5000, rng.range(10000, 200000)]);
    const kind = rng.int(5);
    if (kind === 0) return insertAt(buf, rng.pick(lineStarts(buf)), Buffer.from('['.repeat(depth) + '\n'));
    if (kind === 1) return insertAt(buf, rng.pick(lineStarts(buf)), Buffer.from('{"a":'.repeat(depth) + '\n'));
    // A well-formed deep value in place of a string value of a record.
    const open = kind === 2 ? '['.repeat(depth) : '{"a":'.repeat(depth);
    const close = kind === 2 ? ']'.repeat(depth) : '}'.repeat(depth);
    const offs = stringValueOffsets(buf);
    if (!offs.length) return Buffer.concat([buf, Buffer.from(open + '1' + close + '\n')]);
    const at = rng.pick(offs) - 1; // the opening quote
    const end = buf.indexOf('"', at + 1);
    if (end === -1) return insertAt(buf, at, Buffer.from(open + '1' + close));
    const inner = kind === 4 ? `{"ts":"2025-03-12T10:00:00Z","ip":"1.2.3.4","path":"/x","status":200}` : '1';
    return Buffer.concat([buf.subarray(0, at), Buffer.from(open + inner + close), buf.subarray(end + 1)]);
  },
  giantField(buf, rng) {
    const size = rng.chance(0.1) ? rng.pick([16 * 1024 * 1024 - 200, 16 * 1024 * 1024 + 10, 17 * 1024 * 1024]) : rng.range(64 * 1024, 4 * 1024 * 1024);
    const str = Buffer.from(giantString(rng, size));
    const offs = stringValueOffsets(buf);
    if (!offs.length || rng.chance(0.1)) return Buffer.concat([buf, Buffer.from('{"path":"'), str, Buffer.from('"}\n')]);
    const at = rng.pick(offs);
    const end = buf.indexOf('"', at);
    return Buffer.concat([buf.subarray(0, at), str, buf.subarray(end === -1 ? at : end)]);
  },
  invalidUtf8(buf, rng) {
    let out = buf;
    for (let n = rng.range(1, 6); n > 0; n--) out = insertInString(out, rng, rng.pick(BAD_UTF8));
    return out;
  },
  loneSurrogate(buf, rng) {
    let out = buf;
    for (let n = rng.range(1, 4); n > 0; n--) out = insertInString(out, rng, Buffer.from(rng.pick(SURROGATES)));
    return out;
  },
  controlChars(buf, rng) {
    let out = buf;
    for (let n = rng.range(1, 6); n > 0; n--) out = insertInString(out, rng, rng.chance(0.7) ? Buffer.from(rng.pick(CONTROL_ESCAPES)) : rng.pick(CONTROL_RAW));
    return out;
  },
  hugeNumbers(buf, rng) {
    const offs = numberOffsets(buf);
    if (!offs.length) return Buffer.concat([buf, Buffer.from(`{"status":${rng.pick(HUGE_NUMBERS)},"ts":${rng.pick(HUGE_NUMBERS)}}\n`)]);
    let out = buf;
    // Replace from the end so earlier offsets stay valid.
    const chosen = Array.from({ length: rng.range(1, 6) }, () => rng.pick(offs)).sort((a, b) => b[0] - a[0]);
    let last = Infinity;
    for (const [at, len] of chosen) {
      if (at + len > last) continue;
      out = Buffer.concat([out.subarray(0, at), Buffer.from(rng.pick(HUGE_NUMBERS)), out.subarray(at + len)]);
      last = at;
    }
    return out;
  },
  protoKeys(buf, rng) {
    if (rng.chance(0.5)) {
      // Textual: an extra key right after an object opens.
      const key = rng.pick(PROTO_KEYS);
      const val = rng.pick(['{"polluted":1}', '{"prototype":{"polluted":1}}', '"x"', 'null', '[1]', '{"toString":1}']);
      const opens = [];
      for (let i = buf.indexOf('{'); i !== -1 && opens.length < 4096; i = buf.indexOf('{', i + 1)) opens.push(i);
      if (!opens.length) return Buffer.concat([buf, Buffer.from(`{"${key}":${val}}\n`)]);
      return insertAt(buf, rng.pick(opens) + 1, Buffer.from(`"${key}":${val},`));
    }
    return editJson(buf, rng, (v) =>
      mutateTree(v, rng, (obj, k) => {
        if (Array.isArray(obj) || rng.chance(0.5)) obj[k] = rng.pick(PROTO_KEYS);
        else {
          const val = obj[k];
          delete obj[k];
          Object.defineProperty(obj, rng.pick(PROTO_KEYS), { value: val, enumerable: true, writable: true, configurable: true });
        }
      }),
    );
  },
  nulBytes(buf, rng) {
    let out = buf;
    for (let n = rng.range(1, 4); n > 0; n--) {
      const ins = rng.chance(0.5) ? Buffer.from('\\u0000') : Buffer.from([0]);
      out = rng.chance(0.7) ? insertInString(out, rng, ins) : insertAt(out, rng.int(out.length + 1), ins);
    }
    return out;
  },
  typeConfusion(buf, rng) {
    return editJson(buf, rng, (v) =>
      mutateTree(v, rng, (obj, k) => {
        const r = rng.int(4);
        if (r === 0 && !Array.isArray(obj)) delete obj[k];
        else if (r === 1) obj[k] = rng.pick(WEIRD_VALUES);
        else if (r === 2) obj[k] = rng.pick(WEIRD_STRINGS);
        else obj[k] = typeof obj[k] === 'string' ? [obj[k]] : typeof obj[k] === 'number' ? String(obj[k]) : { value: obj[k] };
      }),
    );
  },
  envelope(buf, rng) {
    const lines = splitLines(buf).filter((l) => l.length);
    const records = lines.map((l) => l.toString('utf8'));
    const joined = records.join(',');
    const kind = rng.int(6);
    if (kind === 0) return Buffer.from(`[${joined}]`);
    if (kind === 1) return Buffer.from(`{"Records":[${joined}]}`);
    if (kind === 2) return Buffer.from(`{"logEvents":[${records.map((r) => `{"id":"1","timestamp":1,"message":${JSON.stringify(r)}}`).join(',')}]}`);
    if (kind === 3) return Buffer.from(`{"records":[${joined}]}`);
    if (kind === 4) return Buffer.from(records.join('')); // concatenated documents, no newlines
    return Buffer.from(records.join('\n\n   \n'));
  },
};

const MUTATION_NAMES = Object.keys(MUTATIONS);

const ENCODINGS = {
  crlf: (buf) => Buffer.from(buf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'),
  crOnly: (buf) => Buffer.from(buf.toString('latin1').replace(/\n/g, '\r'), 'latin1'),
  bom: (buf) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), buf]),
  utf16le: (buf) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(buf.toString('utf8'), 'utf16le')]),
};

function gzipWrap(buf, rng) {
  let gz = zlib.gzipSync(buf, { level: rng.range(1, 9) });
  const names = ['gzip'];
  const r = rng.int(8);
  if (r === 1) {
    gz = gz.subarray(0, rng.int(gz.length)); // truncated
    names.push('truncated');
  } else if (r === 2) {
    gz = Buffer.from(gz);
    for (let n = rng.range(1, 8); n > 0; n--) gz[rng.range(Math.min(10, gz.length - 1), gz.length - 1)] ^= 1 << rng.int(8); // corrupted body or trailer
    names.push('corrupted');
  } else if (r === 3) {
    gz = Buffer.concat([gz, zlib.gzipSync(buf)]); // two members
    names.push('multi-member');
  } else if (r === 4) {
    gz = Buffer.concat([gz, Buffer.from('trailing garbage\n')]);
    names.push('trailing-garbage');
  } else if (r === 5) {
    gz = Buffer.from(gz);
    gz.writeUInt32LE(rng.int(2 ** 32), gz.length - 4); // wrong ISIZE
    gz.writeUInt32LE(rng.int(2 ** 32), gz.length - 8); // wrong CRC
    names.push('bad-trailer');
  } else if (r === 6) {
    gz = Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not really gzip')]);
    names.push('magic-only');
  }
  return { buf: gz, names };
}

const EMPTY_INPUTS = ['', '\n', '\n\n\n', '   ', '\r\n', '\ufeff', '\ufeff\n', '[]', '{}', 'null', '0', '""', '[[]]', '{"Records":[]}', '\u0000'];

/** Build the input of one case: the bytes, the file name, and a description of the mutations. */
function buildInput(rng, corpus) {
  const src = rng.pick(corpus);
  let buf = src.data;
  if (src.path.endsWith('.gz')) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch {
      /* mutate the raw bytes */
    }
  }
  const steps = [src.rel];
  let ext = /\.json$/i.test(src.path) ? '.json' : '.ndjson';
  if (rng.chance(0.04)) {
    buf = Buffer.from(rng.pick(EMPTY_INPUTS));
    steps.push('empty');
  } else {
    // Large fixtures: sometimes just a slice of lines, so cases stay quick.
    if (buf.length > 200 * 1024 && rng.chance(0.6)) {
      const lines = splitLines(buf);
      const start = rng.int(lines.length);
      buf = joinLines(lines.slice(start, start + rng.range(1, 300)));
      steps.push('slice');
    }
    for (let n = rng.chance(0.5) ? 1 : rng.range(2, 3); n > 0; n--) {
      const name = rng.pick(MUTATION_NAMES);
      try {
        buf = MUTATIONS[name](buf, rng, { corpus });
      } catch (err) {
        // The fuzzer's own JSON handling can fail on what an earlier mutation made (a value nested
        // too deep to stringify): keep the input as it is and say so in the case's steps.
        if (!(err instanceof RangeError)) throw err;
        steps.push(`${name}:skipped`);
        continue;
      }
      if (buf.length > MAX_INPUT) buf = buf.subarray(0, MAX_INPUT);
      steps.push(name);
    }
  }
  const plainBytes = buf.length;
  if (rng.chance(0.15)) {
    const enc = rng.pick(Object.keys(ENCODINGS));
    buf = ENCODINGS[enc](buf);
    steps.push(enc);
  }
  if (rng.chance(0.2)) {
    const g = gzipWrap(buf, rng);
    buf = g.buf;
    steps.push(g.names.join('-'));
    ext = rng.chance(0.85) ? ext + '.gz' : ext; // sometimes gzip without the .gz name
  } else if (rng.chance(0.03)) {
    ext = ext + '.gz'; // a .gz name on plain text
    steps.push('misnamed-gz');
  }
  return { buf, ext, steps, plainBytes };
}

// ---------------------------------------------------------------------------------------------
// Commands

const ANALYZE_FORMATS = ['text', 'json', 'ndjson', 'csv', 'sarif'];

/** Pick the command of a case. `file` is the input path; returns argv (after bin/apilog) and how to check stdout. */
function buildCommand(rng, caseNo, input, workDir) {
  const stdin = rng.chance(0.1);
  const target = stdin ? '-' : input.file;
  const common = ['-q', '--color', 'never'];
  const r = rng.next();
  let args;
  let format;
  let failOn = false;
  if (r < 0.62) {
    format = ANALYZE_FORMATS[caseNo % ANALYZE_FORMATS.length];
    args = ['analyze', target, '--format', format, ...common];
    const csvEntries = format === 'csv' && rng.chance(0.4);
    if (csvEntries) args.push('--csv-of', 'entries');
    // --csv-of entries with --entries none is a usage error (it would write only the header).
    if (rng.chance(0.2)) args.push('--entries', rng.pick(csvEntries ? ['all', 'flagged'] : ['all', 'none', 'flagged']));
    if (rng.chance(0.15)) args.push('--full');
    if (rng.chance(0.1)) args.push('--strict');
    if (rng.chance(0.1)) {
      args.push('--fail-on', rng.pick(['low', 'medium', 'high']));
      failOn = true;
    }
    if (rng.chance(0.05)) args.push('--tz', rng.pick(['Europe/Berlin', 'America/St_Johns', 'Pacific/Kiritimati']));
    if (rng.chance(0.05)) args.push('--since', rng.pick(['1h', '7d', '1s']));
  } else if (r < 0.72) {
    format = rng.pick(['text', 'json', 'ndjson']);
    args = ['summary', target, '--format', format, ...common];
  } else if (r < 0.8) {
    format = 'none';
    args = ['redact', target, '-o', path.join(workDir, 'redacted'), ...common];
  } else if (r < 0.9) {
    format = rng.pick(['text', 'json']);
    args = ['formats', 'detect', target, '--format', format];
  } else {
    format = rng.pick(['text', 'json']);
    const lines = Math.max(1, input.lines);
    const n = rng.chance(0.9) ? rng.range(1, lines) : rng.pick([0, lines + 1, 999999]);
    const name = stdin ? rng.pick(['-', 'stdin', '<stdin>']) : input.file;
    args = ['explain', target, '--line', `${name}:${n}`, '--format', format, ...common];
  }
  return { args, format, stdin, failOn };
}

// ---------------------------------------------------------------------------------------------
// Running one command

const OUTPUT_CAP = 128 * 1024 * 1024;

function runCli(cmd, cwd, inputFile, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const stdinFd = cmd.stdin ? fs.openSync(inputFile, 'r') : undefined;
    const child = spawn(process.execPath, [BIN, ...cmd.args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', APILOG_DEBUG: '1' },
      stdio: [stdinFd ?? 'ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a timeout kills the launcher and the analysis
    });
    if (stdinFd !== undefined) fs.closeSync(stdinFd); // the child has its own copy
    running.add(child);
    const out = [];
    const err = [];
    let outLen = 0;
    let errLen = 0;
    let capped = false;
    child.stdout.on('data', (d) => {
      if (outLen + d.length > OUTPUT_CAP) capped = true;
      else out.push(d);
      outLen += d.length;
    });
    child.stderr.on('data', (d) => {
      if (errLen < OUTPUT_CAP) err.push(d);
      errLen += d.length;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, timedOut, stdout: Buffer.concat(out), stderr: Buffer.concat(err), stdoutBytes: outLen, capped, ms: Date.now() - started });
    });
  });
}

const running = new Set();

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Oracles. Each returns a list of problems: [{ kind, detail }]; kind is stable for minimising.

// Characters a report must never print raw (src/report/sanitize.ts): C0 other than \n and \t,
// DEL, C1, and the bidi / zero-width / separator characters a terminal or editor may act on.
const UNSAFE_OUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
// stderr: control characters and bidi overrides (src/cli/errors.ts `plain`).
const UNSAFE_ERR = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const CRASH_PATTERNS = [
  [/^\s+at .+(?:\(.*\)|:\d+:\d+)\s*$/m, 'stack frame'],
  [/\b(?:TypeError|RangeError|ReferenceError|SyntaxError|EvalError|URIError|AggregateError)\b/, 'JS error name'],
  [/internal error|this is a bug/i, 'internal error'],
  [/FATAL ERROR|heap out of memory|Maximum call stack|Allocation failed/i, 'V8 fatal error'],
  [/node:internal|Node\.js v\d+/, 'node internals'],
  [/\(node:\d+\) \w*Warning/, 'node warning'],
  [/Unhandled|Uncaught/i, 'unhandled rejection'],
];

function describeChar(s, re) {
  const m = re.exec(s);
  if (!m) return '';
  const c = m[0].charCodeAt(0);
  const at = m.index;
  return `U+${c.toString(16).padStart(4, '0')} at offset ${at}: ${JSON.stringify(s.slice(Math.max(0, at - 40), at + 40))}`;
}

function decodeUtf8(buf) {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(buf) };
  } catch {
    return { ok: false, text: buf.toString('utf8') };
  }
}

/** RFC 4180 parse. Returns rows of cells, or throws with a reason. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  let i = 0;
  const end = () => {
    row.push({ value: cell, quoted: wasQuoted });
    cell = '';
    wasQuoted = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') throw new Error(`text after a closing quote at offset ${i}`);
        continue;
      }
      cell += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (cell !== '') throw new Error(`quote inside an unquoted cell at offset ${i}`);
      quoted = true;
      wasQuoted = true;
      i++;
    } else if (c === ',') {
      end();
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      end();
      rows.push(row);
      row = [];
      i += 2;
    } else if (c === '\n' || c === '\r') {
      throw new Error(`bare ${c === '\n' ? 'LF' : 'CR'} at offset ${i} (rows end with CRLF)`);
    } else {
      cell += c;
      i++;
    }
  }
  if (quoted) throw new Error('unbalanced quotes: the file ends inside a quoted cell');
  if (cell !== '' || row.length) throw new Error('the last row does not end with CRLF');
  return rows;
}

const FORMULA = /^(?:[\t\r]|\s*[=+\-@])/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;

function checkCsv(text) {
  const problems = [];
  let rows;
  try {
    rows = parseCsv(text);
  } catch (e) {
    return [{ kind: 'invalid-csv', detail: e.message }];
  }
  if (!rows.length) return [{ kind: 'invalid-csv', detail: 'no header row' }];
  const header = rows[0].map((c) => c.value);
  if (!header.every((h) => /^[a-z_]+$/.test(h))) problems.push({ kind: 'invalid-csv', detail: `odd header ${JSON.stringify(header)}` });
  for (let r = 1; r < rows.length; r++) {
    if (rows[r].length !== header.length) {
      problems.push({ kind: 'invalid-csv', detail: `row ${r + 1} has ${rows[r].length} cells, header has ${header.length}` });
      break;
    }
    const bad = rows[r].find((c) => FORMULA.test(c.value) && !NUMBER.test(c.value));
    if (bad) {
      problems.push({ kind: 'csv-formula', detail: `row ${r + 1}: cell ${JSON.stringify(bad.value.slice(0, 80))} starts a formula` });
      break;
    }
  }
  return problems;
}

function checkStdout(cmd, res) {
  const problems = [];
  if (res.capped) return problems; // too large to keep; exit code and stderr were still checked
  const { ok, text } = decodeUtf8(res.stdout);
  if (!ok) problems.push({ kind: 'invalid-utf8-output', detail: 'stdout is not valid UTF-8' });
  const forCtl = cmd.format === 'csv' ? text.replace(/\r\n/g, '\n') : text;
  if (UNSAFE_OUT.test(forCtl)) problems.push({ kind: 'raw-control-stdout', detail: describeChar(forCtl, UNSAFE_OUT) });
  const empty = text.length === 0;
  const succeeded = res.code === 0 || (res.code === 1 && cmd.failOn);
  const name = cmd.args[0];
  // A report is due whenever the command succeeded; on an input error (exit 3) what is written must still be valid.
  const mustHave = succeeded && (name === 'analyze' || name === 'summary' || name === 'formats' || name === 'explain');
  if (empty) {
    if (mustHave) problems.push({ kind: 'empty-output', detail: `exit ${res.code} but nothing on stdout` });
    return problems;
  }
  switch (cmd.format) {
    case 'json': {
      try {
        const v = JSON.parse(text);
        if (v === null || typeof v !== 'object') problems.push({ kind: 'invalid-json', detail: 'top level is not an object or array' });
      } catch (e) {
        problems.push({ kind: 'invalid-json', detail: `${e.message}; ends with ${JSON.stringify(text.slice(-80))}` });
      }
      break;
    }
    case 'ndjson': {
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      let last;
      for (let i = 0; i < lines.length; i++) {
        try {
          last = JSON.parse(lines[i]);
          if (last === null || typeof last !== 'object' || typeof last.type !== 'string') {
            problems.push({ kind: 'invalid-ndjson', detail: `line ${i + 1} is not an object with a type` });
            break;
          }
        } catch (e) {
          problems.push({ kind: 'invalid-ndjson', detail: `line ${i + 1}: ${e.message}` });
          last = undefined;
          break;
        }
      }
      if (!problems.length && succeeded && last?.type !== 'summary') problems.push({ kind: 'invalid-ndjson', detail: `last line has type ${JSON.stringify(last?.type)}, not "summary"` });
      break;
    }
    case 'sarif': {
      try {
        const v = JSON.parse(text);
        if (v?.version !== '2.1.0') problems.push({ kind: 'invalid-sarif', detail: `version ${JSON.stringify(v?.version)}` });
        else if (!Array.isArray(v.runs) || !v.runs.length || !Array.isArray(v.runs[0].results)) problems.push({ kind: 'invalid-sarif', detail: 'no runs[0].results array' });
      } catch (e) {
        problems.push({ kind: 'invalid-sarif', detail: e.message });
      }
      break;
    }
    case 'csv':
      problems.push(...checkCsv(text));
      break;
    default:
      break; // text: the control-character check above
  }
  return problems;
}

function judge(cmd, res, timeoutMs) {
  const problems = [];
  const errText = res.stderr.toString('utf8');
  if (res.timedOut) problems.push({ kind: 'timeout', detail: `no exit after ${timeoutMs / 1000} s` });
  else if (res.signal) problems.push({ kind: 'signal', detail: `killed by ${res.signal}` });
  else {
    const allowed = [0, 2, 3];
    if (cmd.failOn) allowed.push(1);
    if (!allowed.includes(res.code)) problems.push({ kind: `exit-${res.code}`, detail: `exit code ${res.code} (allowed: ${allowed.join(', ')})` });
  }
  for (const [re, what] of CRASH_PATTERNS) {
    if (re.test(errText)) {
      problems.push({ kind: 'crash', detail: `${what} on stderr: ${JSON.stringify(errText.match(re)[0].slice(0, 120))}` });
      break;
    }
  }
  if (UNSAFE_ERR.test(errText)) problems.push({ kind: 'raw-control-stderr', detail: describeChar(errText, UNSAFE_ERR) });
  if (!res.timedOut && !res.signal) problems.push(...checkStdout(cmd, res));
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Cases

function countLines(buf) {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n + (buf.length && buf[buf.length - 1] !== 10 ? 1 : 0);
}

async function runCase(state, caseNo) {
  const rng = makeRng(state.seed, caseNo);
  const built = buildInput(rng, state.corpus);
  const dir = fs.mkdtempSync(path.join(state.tmp, `case-${caseNo}-`));
  try {
    const folder = rng.chance(0.05);
    let file = `input${built.ext}`;
    if (folder) {
      // A folder with the mutated file and a second, plain one.
      fs.mkdirSync(path.join(dir, 'logs'));
      file = path.join('logs', file);
      const other = rng.pick(state.corpus);
      fs.writeFileSync(path.join(dir, 'logs', `other${path.extname(other.path)}`), other.data);
      built.steps.push('in-folder');
    }
    fs.writeFileSync(path.join(dir, file), built.buf);
    const input = { file: folder ? 'logs' : file, lines: countLines(built.buf) };
    const cmd = buildCommand(rng, caseNo, input, dir);
    const timeoutMs = caseTimeout(state, built);
    const res = await runCli(cmd, dir, path.join(dir, file), timeoutMs);
    const problems = judge(cmd, res, timeoutMs);
    const exitKey = res.timedOut ? 'timeout' : res.signal ?? String(res.code);
    state.exits.set(exitKey, (state.exits.get(exitKey) ?? 0) + 1);
    if (state.verbose) process.stderr.write(`case ${caseNo}: ${cmdLine(cmd)} [${built.steps.join(' > ')}] exit ${res.code ?? res.signal} ${res.ms} ms\n`);
    if (problems.length) await recordFailure(state, caseNo, built, file, cmd, res, problems, dir);
    return problems.length === 0;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The time a case may take: --timeout, plus 1.5 s per MB of (uncompressed) input. A 16 MB value
 * is legal input (--max-line-bytes) and takes apilog ~25 s through every detector and the text
 * report; a hang is what does not end in proportion to its input.
 */
function caseTimeout(state, built) {
  return state.timeoutMs + Math.round((built.plainBytes / (1024 * 1024)) * 1500);
}

function shellQuote(s) {
  return /^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function cmdLine(cmd) {
  const line = ['NO_COLOR=1', 'APILOG_DEBUG=1', 'node', 'bin/apilog', ...cmd.args.map(shellQuote)].join(' ');
  return cmd.stdin ? `${line} < INPUT` : line;
}

/** Smaller input with the same kind of failure: drop chunks of lines while the failure stays. */
async function minimise(state, built, file, cmd, kind, dir) {
  if (kind === 'timeout' || built.ext.endsWith('.gz') || cmd.args[0] === 'explain' || built.steps.includes('in-folder')) return null;
  let lines = splitLines(built.buf);
  if (lines.length < 2) return null;
  let tries = 0;
  const budget = 40;
  const fails = async (cand) => {
    tries++;
    const p = path.join(dir, file);
    fs.writeFileSync(p, cand);
    const t = caseTimeout(state, { plainBytes: cand.length });
    const res = await runCli(cmd, dir, p, t);
    return judge(cmd, res, t).some((x) => x.kind === kind);
  };
  let chunk = Math.ceil(lines.length / 2);
  while (chunk >= 1 && tries < budget) {
    let removed = false;
    for (let start = 0; start < lines.length && tries < budget; ) {
      const cand = [...lines.slice(0, start), ...lines.slice(start + chunk)];
      if (cand.length && (await fails(joinLines(cand)))) {
        lines = cand;
        removed = true;
      } else start += chunk;
    }
    if (!removed) chunk = Math.floor(chunk / 2);
  }
  const out = joinLines(lines);
  return out.length < built.buf.length ? out : null;
}

async function recordFailure(state, caseNo, built, file, cmd, res, problems, dir) {
  state.failures++;
  const head = problems[0];
  process.stderr.write(`fuzz: FAIL case ${caseNo}: ${head.kind}: ${head.detail}\n      ${cmdLine(cmd)}  [${built.steps.join(' > ')}]\n`);
  const out = path.resolve(ROOT, state.keep, `seed${state.seed}-case${caseNo}`);
  fs.mkdirSync(out, { recursive: true });
  const inputName = `input${built.ext}`;
  fs.writeFileSync(path.join(out, inputName), built.buf);
  const cap = (b) => (b.length > 1024 * 1024 ? Buffer.concat([b.subarray(0, 1024 * 1024), Buffer.from(`\n[… ${b.length} bytes in all]\n`)]) : b);
  fs.writeFileSync(path.join(out, 'stdout.txt'), cap(res.stdout));
  fs.writeFileSync(path.join(out, 'stderr.txt'), cap(res.stderr));
  let minimised = null;
  if (state.minimise) {
    try {
      minimised = await minimise(state, built, file, cmd, head.kind, dir);
    } catch {
      minimised = null;
    }
    if (minimised) fs.writeFileSync(path.join(out, `input.min${built.ext}`), minimised);
  }
  const info = [
    `case ${caseNo} of seed ${state.seed}; replay: npm run fuzz -- --seed ${state.seed} --case ${caseNo}`,
    `mutations: ${built.steps.join(' > ')}`,
    `command (run in a folder holding ${file}${cmd.stdin ? ', given on stdin' : ''}):`,
    `  ${cmdLine(cmd)}`,
    `exit: ${res.timedOut ? 'timeout' : res.signal ?? res.code}; ${res.ms} ms; stdout ${res.stdoutBytes} bytes`,
    `input: ${inputName} (${built.buf.length} bytes)${minimised ? `; minimised: input.min${built.ext} (${minimised.length} bytes)` : ''}`,
    'problems:',
    ...problems.map((p) => `  ${p.kind}: ${p.detail}`),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(out, 'README.txt'), info);
  fs.writeFileSync(path.join(out, 'command.json'), JSON.stringify({ seed: state.seed, case: caseNo, args: cmd.args, stdin: cmd.stdin, file, steps: built.steps, problems }, null, 2) + '\n');
}

// ---------------------------------------------------------------------------------------------
// Main

function distIsStale() {
  const built = path.join(ROOT, 'dist/cli/main.js');
  if (!fs.existsSync(built)) return 'missing';
  const t = fs.statSync(built).mtimeMs;
  let newer = false;
  const walk = (dir) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      if (newer) return;
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && fs.statSync(p).mtimeMs > t) newer = true;
    }
  };
  walk(path.join(ROOT, 'src'));
  return newer ? 'stale' : '';
}

/** The oracles on made-up results: each bad output must be caught, each good one must pass. */
function selfTest() {
  const res = ({ out = '', err = '', ...rest }) => ({ code: 0, signal: null, timedOut: false, stdout: Buffer.from(out), stderr: Buffer.from(err), stdoutBytes: out.length, capped: false, ms: 1, ...rest });
  const analyze = (format, failOn = false) => ({ args: ['analyze', 'x', '--format', format], format, stdin: false, failOn });
  const csvHead = 'id,severity,user\r\n';
  const cases = [
    ['good text', analyze('text'), res({ out: '── Alerts (0) ──\n  No alerts.\n\tok\n' }), []],
    ['good json', analyze('json'), res({ out: '{"summary":{}}' }), []],
    ['good ndjson', analyze('ndjson'), res({ out: '{"type":"alert"}\n{"type":"summary"}\n' }), []],
    ['good sarif', analyze('sarif'), res({ out: '{"version":"2.1.0","runs":[{"results":[]}]}' }), []],
    ['good csv', analyze('csv'), res({ out: csvHead + "A1,high,\"'=cmd,x\"\r\nA2,low,-5\r\n" }), []],
    ['input error', analyze('json'), res({ code: 3, err: 'apilog: no events could be mapped from x\n' }), []],
    ['fail-on hit', analyze('json', true), res({ code: 1, out: '{}' }), []],
    ['exit 1 without --fail-on', analyze('json'), res({ code: 1, out: '{}' }), ['exit-1']],
    ['internal error', analyze('text'), res({ code: 70, err: 'apilog: internal error: x is undefined\n' }), ['exit-70', 'crash']],
    ['uncaught', analyze('text'), res({ code: 1, err: "TypeError: Cannot read properties of undefined (reading 'x')\n    at f (file:///a.js:1:2)\n" }), ['exit-1', 'crash']],
    ['signal', analyze('text'), res({ code: null, signal: 'SIGSEGV' }), ['signal']],
    ['timeout', analyze('text'), res({ code: null, signal: 'SIGKILL', timedOut: true }), ['timeout']],
    ['ESC in text', analyze('text'), res({ out: 'user \u001b[31mroot\n' }), ['raw-control-stdout']],
    ['C1 CSI in text', analyze('text'), res({ out: 'user \u009b31m\n' }), ['raw-control-stdout']],
    ['RLO in json', analyze('json'), res({ out: '{"a":"\u202e"}' }), ['raw-control-stdout']],
    ['CR in text', analyze('text'), res({ out: 'a\rb\n' }), ['raw-control-stdout']],
    ['ESC on stderr', analyze('text'), res({ code: 3, err: 'apilog: bad \u001b[2J\n' }), ['raw-control-stderr']],
    ['bad json', analyze('json'), res({ out: '{"summary":' }), ['invalid-json']],
    ['empty json', analyze('json'), res({ out: '' }), ['empty-output']],
    ['ndjson without summary', analyze('ndjson'), res({ out: '{"type":"alert"}\n' }), ['invalid-ndjson']],
    ['ndjson bad line', analyze('ndjson'), res({ out: '{"type":"alert"\n{"type":"summary"}\n' }), ['invalid-ndjson']],
    ['sarif version', analyze('sarif'), res({ out: '{"version":"2.0.0","runs":[]}' }), ['invalid-sarif']],
    ['csv unbalanced quote', analyze('csv'), res({ out: csvHead + 'A1,"high,x\r\n' }), ['invalid-csv']],
    ['csv column count', analyze('csv'), res({ out: csvHead + 'A1,high\r\n' }), ['invalid-csv']],
    ['csv formula', analyze('csv'), res({ out: csvHead + 'A1,high,=1+2\r\n' }), ['csv-formula']],
    ['csv formula after blank', analyze('csv'), res({ out: csvHead + 'A1,high," @SUM(1)"\r\n' }), ['csv-formula']],
    ['csv bare LF', analyze('csv'), res({ out: 'id,severity,user\nA1,high,x\n' }), ['invalid-csv']],
    ['invalid UTF-8 out', analyze('text'), res({ out: Buffer.from([0x61, 0xff, 0x0a]) }), ['invalid-utf8-output']],
  ];
  let bad = 0;
  for (const [name, cmd, r, want] of cases) {
    const got = [...new Set(judge(cmd, r, 20000).map((p) => p.kind))].sort();
    const ok = JSON.stringify(got) === JSON.stringify([...want].sort());
    if (!ok) bad++;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : `: got [${got.join(', ')}], want [${want.join(', ')}]`}\n`);
  }
  process.stdout.write(`fuzz self-test: ${cases.length - bad}/${cases.length} oracle checks pass\n`);
  process.exitCode = bad ? 1 : 0;
}

/**
 * Copy bin/, dist/, rules/, schema/ and package.json to the temporary folder (node_modules linked)
 * and run the cases from there: others rebuilding dist/ during a long run must not show up as
 * crashes ("does not provide an export named …" from a half-written dist/). The copy is checked
 * with one known-good run and taken again if that fails.
 */
async function snapshotPackage(tmp) {
  for (let attempt = 1; ; attempt++) {
    const dest = path.join(tmp, `apilog-${attempt}`);
    for (const d of ['bin', 'dist', 'rules', 'schema']) if (fs.existsSync(path.join(ROOT, d))) fs.cpSync(path.join(ROOT, d), path.join(dest, d), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dest, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dest, 'node_modules'), 'dir');
    BIN = path.join(dest, 'bin/apilog');
    const cmd = { args: ['analyze', path.join(FIXTURES, 'formats/flat.ndjson'), '--format', 'json', '-q'], format: 'json', stdin: false, failOn: false };
    const res = await runCli(cmd, tmp, '', 60000);
    if (judge(cmd, res, 60000).length === 0) return dest;
    if (attempt >= 5) throw new Error(`the built CLI fails on fixtures/formats/flat.ndjson (exit ${res.code}): ${res.stderr.toString().slice(0, 400)}`);
    process.stderr.write('fuzz: dist/ looks half-built; taking the snapshot again in 10 s\n');
    fs.rmSync(dest, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 10000));
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.selfTest) return selfTest();
  const stale = distIsStale();
  if (stale === 'missing') {
    process.stderr.write('fuzz: dist/ is not built; run `npm run build` first\n');
    process.exit(2);
  }
  if (stale) process.stderr.write('fuzz: note: src/ has changes newer than dist/; run `npm run build` to fuzz them\n');
  const corpus = listCorpus();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'apilog-fuzz-'));
  try {
    await snapshotPackage(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    process.stderr.write(`fuzz: ${err.message}\n`);
    process.exit(2);
  }
  const state = { ...opts, corpus, tmp, timeoutMs: opts.timeout * 1000, failures: 0, cases: 0, exits: new Map() };
  const started = Date.now();
  const deadline = opts.seconds !== undefined ? started + opts.seconds * 1000 : Infinity;
  const cleanup = () => fs.rmSync(tmp, { recursive: true, force: true });
  let stopping = false;
  const onSignal = (sig) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`fuzz: ${sig}: stopping\n`);
    for (const c of running) killGroup(c);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  process.stderr.write(`fuzz: seed ${opts.seed}, ${corpus.length} fixtures, ${opts.jobs} job(s), ${opts.only !== undefined ? `case ${opts.only}` : opts.cases !== undefined ? `${opts.cases} cases` : `${opts.seconds} s`}, timeout ${opts.timeout} s\n`);
  let next = opts.only ?? 0;
  const last = opts.only !== undefined ? opts.only + 1 : opts.cases ?? Infinity;
  let lastReport = started;
  const worker = async () => {
    while (!stopping && next < last && Date.now() < deadline) {
      const caseNo = next++;
      await runCase(state, caseNo);
      if (stopping) break;
      state.cases++;
      if (Date.now() - lastReport > 30000) {
        lastReport = Date.now();
        process.stderr.write(`fuzz: ${state.cases} cases, ${state.failures} failure(s), ${Math.round((Date.now() - started) / 1000)} s\n`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.only !== undefined ? 1 : opts.jobs }, worker));
  } finally {
    cleanup();
  }
  const secs = Math.round((Date.now() - started) / 1000);
  const exits = [...state.exits].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
  if (exits) process.stderr.write(`fuzz: exit codes: ${exits}\n`);
  if (state.failures) process.stderr.write(`fuzz: failing inputs kept in ${path.relative(process.cwd(), path.resolve(ROOT, opts.keep)) || '.'}/\n`);
  console.log(`fuzz: ${state.cases} cases in ${secs} s, ${state.failures} failure${state.failures === 1 ? '' : 's'} (seed ${opts.seed})`);
  process.exitCode = state.failures || stopping ? 1 : 0;
}

main().catch((err) => {
  process.stderr.write(`fuzz: ${err?.stack ?? err}\n`);
  process.exit(2);
});
