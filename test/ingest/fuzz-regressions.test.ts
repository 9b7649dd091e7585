/**
 * Inputs found by the mutation fuzzer (scripts/fuzz.mjs, docs/reliability.md) that hung or
 * crashed the reader. Each test names the failure it guards against.
 */
import { describe, expect, it } from 'vitest';
import { readChunks } from './helpers.js';

describe('fuzzer regressions: ingest', () => {
  it('frames a JSON document whose string holds hundreds of thousands of escapes in linear time', async () => {
    // The framer looked for the closing quote again after every backslash: a 4 MB string of
    // `\u0000` escapes in one chunk took minutes (quadratic in the chunk size).
    const value = '\\u0000'.repeat(700_000);
    const doc = `[{"path":"/x","user_agent":"${value}","status":200}]\n`;
    const started = Date.now();
    const c = await readChunks([doc]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(c.records).toHaveLength(1);
    expect(((c.records[0]?.value as Record<string, string>).user_agent ?? '').length).toBe(700_000);
  });

  it('reports a malformed line holding a long run of blanks in linear time', async () => {
    // The issue's snippet was trimmed with /[\r\n\t ]+$/, which tries every start in a run of
    // blanks that is not at the end of the line: a 400 KB line took minutes (seed 77, cases 419,
    // 764 and 851 of the fuzzer).
    const line = `{"path":"/x",${' '.repeat(400_000)}oops}\n{"path":"/y","status":200}\n`;
    const started = Date.now();
    const c = await readChunks([line]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(c.issues.map((i) => [i.kind, i.line])).toEqual([['malformed-json', 1]]);
    expect(c.records).toHaveLength(1);
  });
});
