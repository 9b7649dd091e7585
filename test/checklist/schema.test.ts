import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { createChecklist, explainEntry } from '../../src/checklist/index.js';
import { fromFlat, loadFlat, stubGeo, testRules } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SCHEMA_DIR = path.join(ROOT, 'schema/v1');

function entryValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  for (const f of readdirSync(SCHEMA_DIR).filter((x) => x.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, f), 'utf8')) as object);
  const v = ajv.getSchema('urn:apilog:schema:v1:entry');
  if (v === undefined) throw new Error('entry schema not found');
  return v;
}

describe('entry records follow the v1 entry schema', () => {
  const validate = entryValidator();
  const check = (r: unknown) => {
    const ok = validate(JSON.parse(JSON.stringify(r)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  };

  it('for the explained seed entry', () => {
    const events = loadFlat(path.join(ROOT, 'fixtures/checklist/seed-entry.ndjson'));
    check(explainEntry(events[2]!, { rules: testRules(), geo: stubGeo(), tz: 'Europe/Berlin', neighbours: events }).record);
  });

  it('for streamed entries of every kind', () => {
    const c = createChecklist({ rules: testRules(), geo: stubGeo({ '81.2.69.': { country: 'GB', city: 'London', radiusKm: 20 } }), tz: 'UTC' });
    const t = Date.parse('2024-05-18T02:00:00Z');
    const rows = [
      { endpoint: '/api/v1/admin/users/1', method: 'DELETE', status: 204, role: 'analyst' },
      { endpoint: '/api/v1/users/1?token=abcdefghijkl', status: 401, api_key: 'ak_live_0123456789', user_agent: 'curl/8.0' },
      { endpoint: '/api/v1/exports/all', status: 200, bytes: 9_000_000 },
      { endpoint: '/health', status: 503 },
    ];
    rows.forEach((r, i) => c.add(fromFlat({ timestamp: new Date(t + i * 1000).toISOString(), user_id: '5', role: 'support', ip: '81.2.69.10', method: 'GET', ...r }, 'f', i + 1)));
    const entries = [...c.finish([]).records()];
    expect(entries.length).toBe(4);
    for (const r of entries) check(r);
  });
});
