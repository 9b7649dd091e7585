/**
 * One API key, one name in every record: the alert's subject, its summary, the entries' subject and
 * answers and the actors table mask it the same way, so `jq` can join them and the full key is
 * never printed.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { analyze } from '../../src/analyze/run.js';
import { createBaselineLearner } from '../../src/baseline/learner.js';
import { createEnricher } from '../../src/enrich/index.js';
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

  // Two clients whose keys share their first characters, each reading its own orders from its own
  // address: named by a prefix alone they had become one caller walking 70 foreign ids.
  function twoKeys(field: string): string {
    const dir = tempDirs()('apilog-keys-');
    const file = path.join(dir, 'two.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 35; i++) {
      for (const [n, base] of [[1, 0], [2, 1000]] as const) {
        const ts = new Date(Date.UTC(2025, 2, 14, 3, 0, 5 * i + n)).toISOString();
        lines.push(JSON.stringify({ timestamp: ts, [field]: `sk_live_51HxYzAbCdEfGhIjKlMnOpQr000${n}`, ip: `198.51.100.1${n}`, method: 'GET', endpoint: `/api/v1/orders/${base + i}`, status: 200 }));
      }
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }

  for (const field of ['api_key', 'api_key_id']) {
    it(`keeps two keys that share their first characters apart (${field})`, async () => {
      const r = await analyze(analyzeOptions([twoKeys(field)], { threads: 1, entries: 'none' }));
      expect(r.alerts.filter((a) => a.rule === 'bola-enumeration')).toEqual([]);
      const keys = r.summary.actors.map((a) => a.apiKey);
      expect(keys).toHaveLength(2);
      expect(new Set(keys).size).toBe(2);
      for (const k of keys) expect(k).toMatch(/^sk_live_…\[REDACTED stripe-key len=36 sha256:[0-9a-f]{8}\]$/);
      expect(r.summary.actors.map((a) => a.requests)).toEqual([35, 35]);
      expect(JSON.stringify(r.summary)).not.toContain('HxYz');
    });
  }

  it('an allow-listed key matches whether the rules give it in full or as reports name it', async () => {
    const dir = tempDirs()('apilog-allow-');
    const file = path.join(dir, 'walk.ndjson');
    const key = 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr0001';
    const lines = Array.from({ length: 80 }, (_, i) =>
      JSON.stringify({ timestamp: new Date(Date.UTC(2025, 2, 14, 14, 0, 3 * i)).toISOString(), api_key: key, ip: '198.51.100.10', method: 'GET', endpoint: `/api/v1/orders/${5000 + i}`, status: 200 }),
    );
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const bola = async (listed?: string) => {
      const rulesPaths: string[] = [];
      if (listed !== undefined) {
        const rules = path.join(dir, `allow-${rulesPaths.length}-${listed.length}.yaml`);
        fs.writeFileSync(rules, `allow:\n  apiKeys: [${JSON.stringify(listed)}]\n`);
        rulesPaths.push(rules);
      }
      const r = await analyze(analyzeOptions([file], { threads: 1, entries: 'none', rulesPaths }));
      return r.alerts.filter((a) => a.rule === 'bola-enumeration');
    };
    const alerts = await bola();
    expect(alerts).toHaveLength(1);
    const named = alerts[0]!.subject.apiKey!;
    expect(named).toMatch(/^sk_live_…\[REDACTED stripe-key len=36 sha256:[0-9a-f]{8}\]$/);
    expect(await bola(key)).toEqual([]);
    expect(await bola(named)).toEqual([]);
    expect(await bola('sk_live_51HxYzAbCdEfGhIjKlMnOpQr0002')).toHaveLength(1);
  });

  it('a plain key id (held as logged) is allow-listed as logged or as reports name it', async () => {
    const dir = tempDirs()('apilog-allow-plain-');
    const file = path.join(dir, 'walk.ndjson');
    const lines = Array.from({ length: 80 }, (_, i) =>
      JSON.stringify({ timestamp: new Date(Date.UTC(2025, 2, 14, 14, 0, 3 * i)).toISOString(), api_key_id: 'partner-4411', ip: '198.51.100.10', method: 'GET', endpoint: `/api/v1/orders/${5000 + i}`, status: 200 }),
    );
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const bola = async (listed?: string) => {
      const rulesPaths: string[] = [];
      if (listed !== undefined) {
        const rules = path.join(dir, `allow-${listed.length}.yaml`);
        fs.writeFileSync(rules, `allow:\n  apiKeys: [${JSON.stringify(listed)}]\n`);
        rulesPaths.push(rules);
      }
      return (await analyze(analyzeOptions([file], { threads: 1, entries: 'none', rulesPaths }))).alerts.filter((a) => a.rule === 'bola-enumeration');
    };
    const alerts = await bola();
    expect(alerts).toHaveLength(1);
    const named = alerts[0]!.subject.apiKey!;
    expect(named).toMatch(/^part…\[REDACTED api-key len=12 sha256:[0-9a-f]{8}\]$/);
    expect(await bola('partner-4411')).toEqual([]);
    expect(await bola(named)).toEqual([]);
  });

  it('a baseline that names key callers by their first characters only (learned before keys were named by their hash) is said to match none', async () => {
    const dir = tempDirs()('apilog-old-baseline-');
    const file = path.join(dir, 'day.ndjson');
    const key = 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr0001';
    fs.writeFileSync(
      file,
      Array.from({ length: 30 }, (_, i) => JSON.stringify({ timestamp: new Date(Date.UTC(2025, 2, 14, 10, i)).toISOString(), api_key: key, ip: '198.51.100.10', method: 'GET', endpoint: '/api/v1/products', status: 200 })).join('\n') + '\n',
    );
    const learner = createBaselineLearner();
    const enrich = createEnricher();
    const r = await analyze(analyzeOptions([file], { threads: 1, entries: 'none' }));
    expect(r.summary.actors[0]!.actor.startsWith('key:sk_live_…[REDACTED')).toBe(true);
    learner.add(enrich({ ts: Date.UTC(2025, 2, 13, 10), apiKey: 'sk_live_…', ip: '198.51.100.10', method: 'GET', path: '/api/v1/products', status: 200, format: 'flat', source: { file, line: 1 }, raw: {} } as never));
    const old = path.join(dir, 'old.json');
    fs.writeFileSync(old, JSON.stringify(learner.finish()));
    const notes = (await analyze(analyzeOptions([file], { threads: 1, entries: 'none', baselinePath: old }))).summary.notes;
    expect(notes.find((n) => n.includes('first characters only'))).toMatch(/names 1 API key caller by its first characters only.*learn the baseline again/);
  });
});

