/**
 * A user's alert says where its requests came from: the address its evidence counted and the API
 * key its samples were made with (the credential to revoke), masked in every output.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDirs } from '../helpers/temp.js';
import { shortHash } from '../../src/hygiene/mask.js';

const dir = tempDirs()('apilog-origin-');
const KEY = '6c664d6d-1b2c-4d5e-8f90-a1b2c3d4e5f6';
const T = Date.parse('2025-06-03T14:05:00Z');
const file = path.join(dir, 'walk.ndjson');
// User 101 browses with their usual key, then walks other customers' orders with a second one.
const lines = [
  ...Array.from({ length: 5 }, (_, k) => ({ timestamp: new Date(T - 3_600_000 + k * 60_000).toISOString(), user_id: '101', api_key_id: 'usual-key-0001', ip: '85.214.132.9', method: 'GET', endpoint: '/api/v1/products', status: 200 })),
  ...Array.from({ length: 60 }, (_, k) => ({ timestamp: new Date(T + k * 800).toISOString(), user_id: '101', api_key_id: KEY, ip: '203.0.113.77', method: 'GET', endpoint: `/api/v1/orders/${8801 + k}`, status: 200 })),
];
fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');

describe('alert origin', () => {
  it('names the address and the (masked) API key of a user alert in JSON, CSV and text, never the key itself', () => {
    const json = runCli(['analyze', file, '--format', 'json', '--only', 'bola-enumeration']);
    const alert = (JSON.parse(json.stdout) as { alerts: Array<{ subject: Record<string, string>; evidence: { ips: Record<string, number>; samples: Array<{ apiKey?: string }> } }> }).alerts[0]!;
    expect(alert.subject).toEqual({ user: '101', route: '/api/v1/orders/{id}' });
    expect(alert.evidence.ips).toEqual({ '203.0.113.77': 60 });
    expect(alert.evidence.samples.length).toBeGreaterThan(0);
    for (const s of alert.evidence.samples) expect(s.apiKey).toMatch(/^6c664d6d…\[REDACTED api-key len=36 sha256:[0-9a-f]{8}\]$/);
    // The same in the record's own field, for jq: `[.subject.ip // empty, .origin.ips[]?.ip]`.
    const origin = (JSON.parse(json.stdout) as { alerts: Array<{ origin?: { ips?: unknown[]; apiKeys?: Array<{ apiKey: string; samples: number }>; samples: number } }> }).alerts[0]!.origin!;
    expect(origin.ips).toEqual([{ ip: '203.0.113.77', requests: 60 }]);
    expect(origin.samples).toBe(alert.evidence.samples.length);
    expect(origin.apiKeys).toEqual([{ apiKey: alert.evidence.samples[0]!.apiKey, samples: origin.samples }]);
    const csv = runCli(['analyze', file, '--format', 'csv', '--only', 'bola-enumeration']).stdout;
    expect(csv).toMatch(/,203\.0\.113\.77 60,6c664d6d…\[REDACTED api-key len=36 sha256:[0-9a-f]{8}\] \d+\/\d+\r\n$/);
    const text = runCli(['analyze', file, '--only', 'bola-enumeration'], { env: { ...process.env, COLUMNS: '160' } }).stdout;
    expect(text).toMatch(/ {2}from {6}ip 203\.0\.113\.77 \(60 requests\) · api key 6c664d6d…\[REDACTED api-key len=36 sha256:[0-9a-f]{8}\] \(\d+ of \d+ samples\)/);
    for (const out of [json.stdout, csv, text]) expect(out).not.toContain(KEY);
  });

  it('a plain key id (no secret by its look) is named by its first characters, length and hash, as entries name it: in samples, subjects and the actors table', () => {
    const plain = path.join(dir, 'plain.ndjson');
    fs.writeFileSync(plain, fs.readFileSync(file, 'utf8').replaceAll(KEY, 'acme-billing').replaceAll('usual-key-0001', 'acme-web'));
    const json = runCli(['analyze', plain, '--format', 'json', '--entries', 'all']).stdout;
    const csv = runCli(['analyze', plain, '--format', 'csv']).stdout;
    const text = runCli(['analyze', plain], { env: { ...process.env, COLUMNS: '160' } }).stdout;
    const billing = `acme…[REDACTED api-key len=12 sha256:${shortHash('acme-billing')}]`;
    const web = `ac…[REDACTED api-key len=8 sha256:${shortHash('acme-web')}]`;
    for (const out of [json, csv, text]) {
      expect(out).not.toContain('acme-billing');
      expect(out).toContain(billing);
    }
    const doc = JSON.parse(json) as { alerts: Array<{ evidence: { samples: Array<{ apiKey?: string }> } }>; entries: Array<{ subject: { apiKey?: string } }> };
    expect(new Set(doc.alerts[0]!.evidence.samples.map((x) => x.apiKey))).toEqual(new Set([billing]));
    expect(new Set(doc.entries.map((e) => e.subject.apiKey))).toEqual(new Set([billing, web]));
  });

  it('an alert whose detector counted no addresses takes them from its samples', () => {
    const one = path.join(dir, 'probe.ndjson');
    const admin = ['users', 'roles', 'config', 'audit', 'keys', 'billing', 'tenants', 'flags', 'jobs', 'exports', 'plans', 'webhooks'];
    fs.writeFileSync(one, Array.from({ length: 60 }, (_, k) => JSON.stringify({ timestamp: new Date(T + k * 2000).toISOString(), user_id: '202', role: 'customer', api_key_id: KEY, ip: '198.51.100.23', method: 'GET', endpoint: `/api/v1/admin/${admin[k % admin.length]}`, status: 403 })).join('\n') + '\n');
    const doc = JSON.parse(runCli(['analyze', one, '--format', 'json']).stdout) as {
      alerts: Array<{ rule: string; subject: { ip?: string }; evidence: { ips?: unknown; samples: unknown[] }; origin?: { ips?: unknown[]; samples: number } }>;
    };
    const a = doc.alerts.find((x) => x.subject.ip === undefined && x.evidence.ips === undefined);
    expect(a, JSON.stringify(doc.alerts.map((x) => [x.rule, x.subject]))).toBeDefined();
    const n = a!.evidence.samples.length;
    expect(a!.origin).toMatchObject({ ips: [{ ip: '198.51.100.23', samples: n }], samples: n });
    // An alert whose subject is the address has nothing to add.
    for (const x of doc.alerts) if (x.subject.ip !== undefined) expect(x.origin?.ips).toBeUndefined();
    const text = runCli(['analyze', one], { env: { ...process.env, COLUMNS: '200' } }).stdout;
    expect(text).toMatch(new RegExp(`from {6}ip 198\\.51\\.100\\.23 \\(${a!.evidence.samples.length} of ${a!.evidence.samples.length} samples\\) · api key 6c664d6d…`));
  });
});
