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
});
