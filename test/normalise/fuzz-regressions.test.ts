/** Records found by the mutation fuzzer (scripts/fuzz.mjs) that crashed the normaliser. */
import { describe, expect, it } from 'vitest';
import { createNormaliser } from '../../src/normalise/index.js';
import type { ApiEvent } from '../../src/normalise/event.js';
import { queryOf } from '../../src/normalise/values.js';
import { loadFixture } from './helpers.js';

describe('fuzzer regressions: normalise', () => {
  it('a query-string object with lone surrogates (Kong querystring) is encoded, not a URIError (seed 77, case 1456)', () => {
    expect(queryOf(JSON.parse('{"q\\ud800":"a\\udc00b","ok":"x y"}'))).toBe('q%EF%BF%BD=a%EF%BF%BDb&ok=x+y');
    expect(queryOf({ emoji: '\u{1F600}' })).toBe('emoji=%F0%9F%98%80');

    const records = loadFixture('kong.ndjson').map((r) => ({
      ...r,
      value: { ...(r.value as Record<string, unknown>), request: { ...((r.value as { request: object }).request), querystring: JSON.parse('{"id\\udfff":"\\ud83d"}') } },
    }));
    const out: ApiEvent[] = [];
    const n = createNormaliser({ file: 'kong.ndjson' }, () => undefined);
    for (const r of records) n.push(r, out);
    n.flush(out);
    expect(out.length).toBe(records.length);
    // Records whose URL has no query of its own take the querystring object's.
    expect(out.filter((e) => e.query === 'id%EF%BF%BD=%EF%BF%BD').length).toBeGreaterThan(records.length / 2);
  });
});
