import { afterEach, describe, expect, it } from 'vitest';
import { fixture, issueView, readChunks, readFile, split, tempDir } from './helpers.js';

let tmp = tempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = tempDir();
});

describe('NDJSON', () => {
  it('reads one record per line with file and 1-based line', async () => {
    const p = tmp.file('flat.ndjson', fixture('flat.ndjson'));
    const c = await readFile(p);
    expect(c.records).toHaveLength(3);
    expect(c.records.map((r) => r.source)).toEqual([
      { file: p, line: 1 },
      { file: p, line: 2 },
      { file: p, line: 3 },
    ]);
    expect((c.records[2]?.value as { user_id: string }).user_id).toBe('u2');
    expect(c.records[0]?.envelope).toBeUndefined();
    expect(c.issues).toEqual([]);
    expect(c.stats).toMatchObject({ path: p, container: 'ndjson', gzip: false, records: 3, malformed: 0 });
    expect(c.stats.bytes).toBe(Buffer.byteLength(fixture('flat.ndjson')));
  });

  it('strips a UTF-8 BOM, accepts CRLF and ignores blank lines', async () => {
    const text = '\ufeff{"a":1}\r\n\r\n   \r\n{"a":2}\r\n\n\t\n{"a":3}';
    const c = await readFile(tmp.file('bom.log', text));
    expect(c.records.map((r) => [r.value, r.source.line])).toEqual([
      [{ a: 1 }, 1],
      [{ a: 2 }, 4],
      [{ a: 3 }, 7],
    ]);
    expect(c.issues).toEqual([]);
  });

  it('reports garbage lines in the middle with exact line numbers and goes on', async () => {
    const text = [
      '{"n":1}',
      'Server starting on port 8080',
      '{"n":2}',
      '{"n":3,}',
      '{"n":4',
      '{"n":5}',
      '',
      '42 is not a record',
      '{"n":6}',
    ].join('\n');
    const c = await readFile(tmp.file('mixed.log', `${text}\n`));
    expect(c.records.map((r) => [(r.value as { n: number }).n, r.source.line])).toEqual([
      [1, 1],
      [2, 3],
      [5, 6],
      [6, 9],
    ]);
    expect(issueView(c)).toEqual([
      { kind: 'not-json', line: 2 },
      { kind: 'malformed-json', line: 4 },
      { kind: 'malformed-json', line: 5 },
      { kind: 'not-json', line: 8 },
    ]);
    expect(c.stats.malformed).toBe(2);
    expect(c.stats.skipped['not-json']).toBe(2);
    expect(c.stats.issues).toEqual({ 'not-json': 2, 'malformed-json': 2 });
    for (const i of c.issues) expect(i.file).toContain('mixed.log');
  });

  it('reports a truncated last line (no newline, incomplete JSON) as malformed', async () => {
    const c = await readFile(tmp.file('trunc.ndjson', '{"a":1}\n{"a":2}\n{"a":3,"b":"unfini'));
    expect(c.records).toHaveLength(2);
    expect(issueView(c)).toEqual([{ kind: 'malformed-json', line: 3 }]);
    expect(c.issues[0]?.message).toMatch(/last line/);
  });

  it('accepts a complete last line without a trailing newline', async () => {
    const c = await readFile(tmp.file('nonl.ndjson', '{"a":1}\n{"a":2}'));
    expect(c.records.map((r) => r.source.line)).toEqual([1, 2]);
    expect(c.issues).toEqual([]);
  });

  it('handles an empty file and a file of blank lines', async () => {
    const e = await readFile(tmp.file('empty.log', ''));
    expect(e.records).toEqual([]);
    expect(e.issues).toEqual([]);
    expect(e.stats).toMatchObject({ records: 0, bytes: 0, container: 'ndjson' });
    const b = await readFile(tmp.file('blank.log', '\n\n  \r\n'));
    expect(b.records).toEqual([]);
    expect(b.issues).toEqual([]);
  });

  it('keeps issue messages short and free of control characters', async () => {
    const long = `{"a":"${'x'.repeat(500)}\u0007\u001b[31m" oops}`;
    const c = await readFile(tmp.file('ctl.log', `${long}\nplain \u001b[2J text ${'y'.repeat(300)}\n`));
    expect(c.issues.map((i) => i.kind)).toEqual(['malformed-json', 'not-json']);
    for (const i of c.issues) {
      expect(i.message).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(i.message.length).toBeLessThan(220);
      expect(i.message).not.toContain('x'.repeat(70));
    }
    expect(c.issues[1]?.message).toContain('\\u001b[2J');
  });

  it('strips docker compose prefixes before the JSON', async () => {
    const text = 'caddy  | {"ts":1,"msg":"handled request"}\nweb-1 | {"ts":2}\ncaddy  | {"ts":3\nnot json {at all}\n';
    const c = await readFile(tmp.file('docker.log', text));
    expect(c.records.map((r) => [r.value, r.source.line])).toEqual([
      [{ ts: 1, msg: 'handled request' }, 1],
      [{ ts: 2 }, 2],
    ]);
    expect(issueView(c)).toEqual([
      { kind: 'malformed-json', line: 3 },
      { kind: 'not-json', line: 4 },
    ]);
  });

  it('skips a line over maxLineBytes without stopping, and reads the next lines', async () => {
    const big = `{"big":"${'z'.repeat(5000)}"}`;
    const text = `{"a":1}\n${big}\n{"a":2}\n${big}`;
    for (const hwm of [undefined, 64, 7]) {
      const c = await readFile(tmp.file(`long-${hwm ?? 'x'}.log`, `${text}\n{"a":3}\n`), { maxLineBytes: 1000 }, hwm);
      expect(c.records.map((r) => [r.value, r.source.line])).toEqual([
        [{ a: 1 }, 1],
        [{ a: 2 }, 3],
        [{ a: 3 }, 5],
      ]);
      expect(issueView(c)).toEqual([
        { kind: 'line-too-long', line: 2 },
        { kind: 'line-too-long', line: 4 },
      ]);
      expect(c.issues[0]?.message).toMatch(/1000 bytes limit/);
      expect(c.stats.skipped['line-too-long']).toBe(2);
    }
  });

  it('reports invalid UTF-8 once per line and still parses the record', async () => {
    const bad = Buffer.concat([Buffer.from('{"u":"caf'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}\n')]);
    const good = Buffer.from('{"u":"café ✓ \ufffd"}\n');
    const c = await readFile(tmp.file('utf8.log', Buffer.concat([good, bad, good])));
    expect(c.records).toHaveLength(3);
    expect((c.records[0]?.value as { u: string }).u).toBe('café ✓ \ufffd');
    expect((c.records[1]?.value as { u: string }).u).toBe('caf\ufffd(\ufffd');
    expect(issueView(c)).toEqual([{ kind: 'invalid-utf8', line: 2 }]);
    expect(c.stats.skipped['invalid-utf8']).toBeUndefined();
    expect(c.stats.issues?.['invalid-utf8']).toBe(1);
  });

  it('a skipped line with a raw ESC and invalid UTF-8 is one issue, not an invalid-utf8 issue as well', async () => {
    // Terminal captures: a raw ESC (JSON.parse rejects it in a string) beside an 8-bit CSI byte (0x9b).
    const esc = Buffer.concat([Buffer.from('{"path":"/a\x1b[31m'), Buffer.from([0x9b]), Buffer.from('0m"}\n')]);
    const prefixed = Buffer.concat([Buffer.from('\x1b[31m'), Buffer.from([0xff]), Buffer.from(' {"path":"/b\x1b"}\n')]);
    const c = await readFile(tmp.file('esc.log', Buffer.concat([Buffer.from('{"n":1}\n'), esc, prefixed, Buffer.from('{"n":4}\n')])));
    expect(c.records.map((r) => r.source.line)).toEqual([1, 4]);
    expect(issueView(c)).toEqual([
      { kind: 'malformed-json', line: 2 },
      { kind: 'not-json', line: 3 },
    ]);
    expect(c.stats.issues).toEqual({ 'malformed-json': 1, 'not-json': 1 });
  });

  it('skips values nested deeper than maxDepth', async () => {
    const deep = `${'['.repeat(40)}1${']'.repeat(40)}`;
    const deepObj = `{"a":${'{"b":'.repeat(30)}1${'}'.repeat(30)}}`;
    const okay = `{"s":"${'['.repeat(100)}"}`; // brackets inside a string do not count
    const c = await readFile(tmp.file('deep.log', `{"x":1}\n${deep}\n${deepObj}\n${okay}\n`), { maxDepth: 10 });
    expect(c.records.map((r) => r.source.line)).toEqual([1, 4]);
    expect(issueView(c)).toEqual([
      { kind: 'too-deep', line: 2 },
      { kind: 'too-deep', line: 3 },
    ]);
  });

  it('expands a line holding a JSON array into its elements', async () => {
    const c = await readFile(tmp.file('arr-lines.log', '{"a":0}\n[{"a":1},{"a":2}]\n'));
    expect(c.records.map((r) => [r.value, r.source.line])).toEqual([
      [{ a: 0 }, 1],
      [{ a: 1 }, 2],
      [{ a: 2 }, 2],
    ]);
  });

  it('unwraps NDJSON lines that are envelopes (one CloudWatch / OTLP export per line)', async () => {
    const cw = JSON.stringify(JSON.parse(fixture('cloudwatch-subscription.json')));
    const otlp = JSON.stringify(JSON.parse(fixture('otlp-spans.json')));
    const c = await readFile(tmp.file('cw-lines.ndjson', `${cw}\n${cw}\n${otlp}\n{"plain":true}\n`));
    expect(c.stats.container).toBe('cloudwatch-events');
    expect(c.records.map((r) => [r.source.line, r.envelope])).toEqual([
      [1, 'cloudwatch-events'],
      [1, 'cloudwatch-events'],
      [1, 'cloudwatch-events'],
      [2, 'cloudwatch-events'],
      [2, 'cloudwatch-events'],
      [2, 'cloudwatch-events'],
      [3, 'otlp-spans'],
      [3, 'otlp-spans'],
      [4, undefined],
    ]);
  });

  it('reads from a stream (stdin path) with "-" as the file', async () => {
    const c = await readChunks(['{"a":1}\n{"a"', ':2}\n', 'nope\n']);
    expect(c.records.map((r) => r.source)).toEqual([
      { file: '-', line: 1 },
      { file: '-', line: 2 },
    ]);
    expect(c.issues).toEqual([{ kind: 'not-json', file: '-', line: 3, message: 'not JSON: nope' }]);
  });

  it('a broken line quoted in an issue shows no secret: not in V8\'s own quote of the input, not the tail of an unquoted value', async () => {
    const c = await readChunks(['{"user":"bob","password": Tr0ub4dor&3xyz}\n', '{"user":"bob","authorization": Bearer abcdEFGH12345678zzzz}\n']);
    const messages = c.issues.map((i) => i.message);
    expect(messages).toEqual([
      'malformed JSON (Unexpected token \'T\'): {"user":"bob","password": [REDACTED password]}',
      expect.stringMatching(/^malformed JSON \(Unexpected token 'B'\): \{"user":"bob","authorization": Bearer \[REDACTED token/),
    ]);
    for (const m of messages) expect(m).not.toMatch(/Tr0ub|3xyz|abcdEF|zzzz/);
  });

  it('hands records over in batches of a few thousand', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) lines.push(`{"i":${i}}`);
    const c = await readFile(tmp.file('many.ndjson', `${lines.join('\n')}\n`), {}, 16 * 1024);
    expect(c.records).toHaveLength(20000);
    expect(c.records[19999]?.source.line).toBe(20000);
    expect(c.batches).toBeGreaterThanOrEqual(4);
    expect(c.batches).toBeLessThanOrEqual(10);
  });
});

describe('encodings and binary files', () => {
  it('reads UTF-16 (as PowerShell writes it), with or without BOM, in any chunking', async () => {
    const text = '{"u":"zoë"}\r\n{"u":"𝄞"}\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(Buffer.from(text, 'utf16le')).swap16();
    for (const [name, buf] of [['le', le], ['be', Buffer.concat([Buffer.from([0xfe, 0xff]), be])], ['le-nobom', Buffer.from(text, 'utf16le')], ['be-nobom', be]] as const) {
      for (const size of [1, 3, 1 << 20]) {
        const c = await readChunks(split(buf, size));
        expect(c.records.map((r) => [r.value, r.source.line]), `${name} ${size}`).toEqual([
          [{ u: 'zoë' }, 1],
          [{ u: '𝄞' }, 2],
        ]);
        expect(c.issues).toEqual([]);
      }
    }
  });

  it('skips binary files and other compressors with one issue', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from('IHDR\n{"a":1}\n')]);
    const c = await readFile(tmp.file('image.log', png));
    expect(c.records).toEqual([]);
    expect(c.issues.map((i) => [i.kind, i.message])).toEqual([['unreadable', 'binary content (NUL byte at offset 8); not read']]);
    expect(c.stats.container).toBe('binary');
    const z = await readFile(tmp.file('x.log.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3])));
    expect(z.issues.map((i) => i.message)).toEqual(['zstd-compressed; not read (only gzip is decompressed)']);
    const zip = await readFile(tmp.file('x.zip', Buffer.from('PK\u0003\u0004rest')));
    expect(zip.issues[0]?.message).toMatch(/zip archive/);
  });
});
