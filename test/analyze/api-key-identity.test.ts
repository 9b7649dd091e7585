/**
 * One API key, one name in every record: the alert's subject, its summary, the entries' subject and
 * answers and the actors table mask it the same way, so `jq` can join them and the full key is
 * never printed.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { analyze } from '../../src/analyze/run.js';
import { analyzeOptions } from '../helpers/options.js';
import { tempDirs } from '../helpers/temp.js';

describe('an API key caller across alerts, entries and actors', () => {
  it('names the key with one mask everywhere and never in full', async () => {
    const dir = tempDirs()('apilog-key-');
    const file = path.join(dir, 'key.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 120; i++) {
      const ts = new Date(Date.UTC(2025, 2, 10, 10, 0, i)).toISOString();
      lines.push(JSON.stringify({ timestamp: ts, api_key_id: 'k7q2m9x1ab', ip: '203.0.113.5', method: 'GET', endpoint: `/api/v1/users/${1000 + i}`, status: 200, bytes: 1500 }));
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const r = await analyze(analyzeOptions([file], { threads: 1, entries: 'all' }));
    const entries = [...r.entries];
    const bola = r.alerts.find((a) => a.rule === 'bola-enumeration');
    expect(bola).toBeDefined();
    const mask = bola!.subject.apiKey!;
    expect(mask).toMatch(/^k7q…\[REDACTED api-key len=10 sha256:[0-9a-f]{8}\]$/);
    expect(bola!.summary).toContain(`API key ${mask} requested`);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(e.subject.apiKey).toBe(mask);
      expect((e.answers.who!.facts as { apiKey?: string }).apiKey).toBe(mask);
      expect(e.alerts).toContain(bola!.id);
    }
    expect(r.summary.actors.map((a) => a.apiKey)).toEqual([mask]);
    expect(JSON.stringify([r.alerts, entries, r.summary])).not.toContain('k7q2m9x1');
  });
});
