/**
 * Throughput of the normalise hot path: `npx vitest bench --run test/normalise`.
 * Flat security-style records (in-memory objects, ~300 B as NDJSON); the figure to compare with
 * the target is records/s (>= 400k on one core).
 */
import { bench, describe } from 'vitest';
import { createNormaliser } from '../../src/normalise/index.js';
import type { ApiEvent } from '../../src/normalise/event.js';
import type { RawRecord } from '../../src/ingest/types.js';

const N = 100_000;
const t0 = Date.UTC(2024, 2, 1);
const paths = ['/api/orders/', '/api/users/', '/api/login', '/api/items/', '/api/search?q=a&page='];
const recs: RawRecord[] = Array.from({ length: N }, (_, i) => ({
  value: {
    timestamp: new Date(t0 + i * 37).toISOString(),
    user_id: `u-${1000 + (i % 500)}`,
    role: i % 50 === 0 ? 'admin' : 'customer',
    ip: `203.0.${(i >> 8) & 255}.${i & 255}`,
    method: i % 7 === 0 ? 'POST' : 'GET',
    endpoint: `${paths[i % 5]}${i % 1000}`,
    status: i % 23 === 0 ? 401 : 200,
    response_time_ms: (i % 300) + 1,
    session_id: `s-${i % 2000}`,
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
    request_id: `req-${i}`,
    bytes: 500 + (i % 5000),
  },
  source: { file: 'bench.ndjson', line: i + 1 },
}));

describe('normalise', () => {
  bench(`push ${N} flat records`, () => {
    const n = createNormaliser({ file: 'bench.ndjson' }, () => undefined);
    let out: ApiEvent[] = [];
    for (let i = 0; i < N; i++) {
      n.push(recs[i] as RawRecord, out);
      if (out.length >= 4096) out = [];
    }
    n.flush(out);
  });
});
