/**
 * A thread whose detectors do not read the source records lets go of them early (meta.readsRecord).
 * Sigma rules read referers, cookies, bodies and `raw.` paths from the record: wherever the lanes
 * put them, they must still see it (a review found them blind with four threads).
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { analyze } from '../../src/analyze/run.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';

const dir = tempDirs()('apilog-lanes-');
const log = path.join(dir, 'access.ndjson');
fs.writeFileSync(
  log,
  Array.from({ length: 5 }, (_, i) =>
    JSON.stringify({ timestamp: `2025-03-10T12:00:0${i}Z`, method: 'GET', path: '/api/v1/items', status: 200, ip: '203.0.113.5', user_id: 'u1', referer: 'https://evil.example/x', tenant: 'acme' }),
  ).join('\n') + '\n',
);
const rules = path.join(dir, 'rules.yml');
fs.writeFileSync(
  rules,
  [
    'title: Referer from a bad site', 'id: ref-evil', 'logsource:', '  category: webserver', 'detection:', '  selection:', "    cs-referer|contains: 'evil.example'", '  condition: selection', 'level: high',
    '---',
    'title: A tenant named in the record', 'id: raw-tenant', 'logsource:', '  category: webserver', 'detection:', '  selection:', "    raw.tenant: 'acme'", '  condition: selection', 'level: medium',
  ].join('\n') + '\n',
);

describe('source records and the threads', () => {
  it('Sigma rules that read the record match alike on one thread and on four, alone or beside every detector', async () => {
    const view = (r: Awaited<ReturnType<typeof analyze>>): string[] => r.alerts.filter((a) => a.rule.startsWith('sigma:')).map((a) => `${a.severity} ${a.title}`).sort();
    const one = await analyze(analyzeOptions([log], { threads: 1, sigmaPaths: [rules] }));
    expect(view(one)).toHaveLength(2);
    for (const threads of [2, 3, 4]) {
      expect(view(await analyze(analyzeOptions([log], { threads, sigmaPaths: [rules] }))), `${threads} threads`).toEqual(view(one));
      expect(view(await analyze(analyzeOptions([log], { threads, sigmaPaths: [rules], only: ['sigma'] }))), `${threads} threads, --only sigma`).toEqual(view(one));
    }
  });
});
