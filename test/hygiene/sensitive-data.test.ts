import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { sensitiveDataInLogs } from '../../src/detect/detectors/sensitive-data-in-logs.js';
import { eventFromRaw, eventsFromNdjson, runDetector } from '../signatures/helpers.js';
import { ROOT } from '../helpers/cli.js';

const FIXTURE = path.join(ROOT, 'fixtures/hygiene/secrets.ndjson');
const expected = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/hygiene/expected.json'), 'utf8')) as {
  findings: Array<{ kind: string; field: string; count: number }>;
  secrets: string[];
  nearMisses: string[];
};

function run(): ReturnType<typeof runDetector> {
  return runDetector(sensitiveDataInLogs, eventsFromNdjson(FIXTURE, 'fixtures/hygiene/secrets.ndjson'));
}

describe('sensitive-data-in-logs on the planted fixture', () => {
  const { alerts } = run();
  const found = alerts.map((a) => ({
    kind: String(a.evidence.metrics.kind),
    field: String(a.evidence.metrics.field),
    count: Number(a.evidence.metrics.occurrences),
  }));

  it('finds every planted kind in the right field with the right count', () => {
    for (const exp of expected.findings) {
      expect(found, `${exp.kind} in ${exp.field}`).toContainEqual(exp);
    }
  });

  it('reports nothing else: the near-misses stay quiet', () => {
    const key = (f: { kind: string; field: string }): string => `${f.field} ${f.kind}`;
    expect(found.map(key).sort()).toEqual(expected.findings.map(key).sort());
  });

  it('never re-prints a planted secret', () => {
    const text = JSON.stringify(alerts);
    for (const s of expected.secrets) {
      if (s.length >= 6) {
        expect(text.includes(s), `secret ${s.slice(0, 4)}… leaked`).toBe(false);
      } else {
        expect(new RegExp(`(?<![0-9])${s}(?![0-9])`).test(text), `short secret leaked`).toBe(false);
      }
    }
  });

  it('one alert per (field, kind), each with guidance, first/last occurrence and a distinct subject', () => {
    const subjects = new Set(alerts.map((a) => JSON.stringify(a.subject)));
    expect(subjects.size).toBe(alerts.length);
    for (const a of alerts) {
      expect(a.rule).toBe('sensitive-data-in-logs');
      expect(typeof a.evidence.guidance).toBe('string');
      expect(a.evidence.firstSeen).toMatch(/secrets\.ndjson:\d+$/);
      expect(a.summary).toContain('Instead:');
    }
    const pw = alerts.find((a) => a.evidence.metrics.kind === 'password' && a.evidence.metrics.field === 'query')!;
    // The subject is the field that leaked, not a route or a caller (the request's caller is in the samples).
    expect(pw.subject).toEqual({ field: 'query [password]' });
    expect(pw.evidence.firstSeen).toBe('fixtures/hygiene/secrets.ndjson:7');
    // The request it was in, so the responder sees who sent it without opening the file.
    expect(pw.evidence.samples[0]).toMatchObject({ method: 'GET', path: '/legacy/login', status: 302, ip: '203.0.113.10' });
    // A secret in the path itself stays masked there too.
    const jsession = alerts.find((a) => a.evidence.metrics.field === 'path')!;
    expect(jsession.evidence.samples[0]!.path).toMatch(/^\/cart;jsessionid=\[REDACTED/);
    expect(pw.evidence.lastSeen).toBe('fixtures/hygiene/secrets.ndjson:32');
    expect(pw.evidence.guidance).toMatch(/password_provided/);
  });

  it('severity: credentials, tokens and cards high; government ids medium', () => {
    for (const a of alerts) {
      const kind = a.evidence.metrics.kind;
      expect(a.severity, String(kind)).toBe(kind === 'ssn' || kind === 'aadhaar' ? 'medium' : 'high');
    }
  });

  it('reports JWT claims (sub, iss, exp, alg) but never the signature', () => {
    const jwt = alerts.find((a) => a.evidence.metrics.kind === 'jwt' && a.evidence.metrics.field === 'query')!;
    expect(jwt.evidence.detail).toMatchObject({ sub: 'user-101', iss: 'https://auth.example.com', exp: 1767225600, alg: 'HS256' });
    const auth = alerts.find((a) => a.evidence.metrics.kind === 'authorization-header')!;
    expect(auth.evidence.detail).toMatchObject({ scheme: 'bearer', sub: 'user-202' });
    expect(String(auth.evidence.masked)).toMatch(/^Bearer \[REDACTED jwt len=\d+ sha256:[0-9a-f]{8}\]$/);
  });

  it('masks: card last four, key at most 8 characters, password nothing', () => {
    const card = alerts.find((a) => a.evidence.metrics.kind === 'card-number' && a.evidence.metrics.field === 'query')!;
    expect(card.evidence.masked).toEqual(['****1111']);
    expect(card.evidence.detail).toEqual({ brand: 'visa' });
    const gh = alerts.find((a) => a.evidence.metrics.kind === 'github-token')!;
    expect(String((gh.evidence.masked as string[])[0])).toMatch(/^ghp_R7kQ…\[REDACTED github-token len=40 sha256:[0-9a-f]{8}\]$/);
    const aws = alerts.find((a) => a.evidence.metrics.kind === 'aws-access-key')!;
    expect(String((aws.evidence.masked as string[])[0])).toMatch(/^AKIAIO…/);
    const pw = alerts.find((a) => a.evidence.metrics.kind === 'password' && a.evidence.metrics.field === 'body')!;
    expect(pw.evidence.masked).toEqual(['[REDACTED password]']);
  });
});

describe('sensitive-data-in-logs details', () => {
  it('a clean record produces nothing', () => {
    const e = eventFromRaw({ path: '/api/orders/42', query: 'page=2&sort=desc', status: 200, ua: 'Mozilla/5.0', user: 'u1' });
    expect(runDetector(sensitiveDataInLogs, [e]).alerts).toEqual([]);
  });

  it('ignoreKinds and ignoreFields silence findings', () => {
    const e = eventFromRaw({ path: '/x', query: 'password=abc12345', headers: { 'x-api-key': 'Zk3jd92kdLs0qPw' } });
    const r = runDetector(sensitiveDataInLogs, [e], { ignoreKinds: ['password'], ignoreFields: ['headers.x-api-key'] });
    expect(r.alerts).toEqual([]);
  });

  it("CloudTrail's userIdentity.accessKeyId holds the key's id, as AWS logs it: no finding; an AKIA key id anywhere else still is one", () => {
    const trail = eventFromRaw({ eventName: 'GetApiKeys', userIdentity: { type: 'IAMUser', userName: 'ci', accessKeyId: 'AKIAIOSFODNN7EXAMPLQ' }, sourceIPAddress: '185.220.101.45' });
    const s3 = eventFromRaw({ path: '/bucket/o', params: { AWSAccessKeyId: 'AKIAIOSFODNN7EXAMPLQ' } });
    // GetApiKey names the API Gateway key by its id; CloudTrail never logs a key's value.
    const getApiKey = eventFromRaw({ eventName: 'GetApiKey', requestParameters: { apiKey: 'k7q2m9x1ab', includeValue: true } });
    expect(runDetector(sensitiveDataInLogs, [trail, s3, getApiKey]).alerts).toEqual([]);
    expect(runDetector(sensitiveDataInLogs, [eventFromRaw({ path: '/x', body: { apiKey: 'k7q2m9x1ab' } })]).alerts.map((a) => a.evidence.metrics.field)).toEqual(['body.apiKey']);
    const leaked = eventFromRaw({ path: '/x', query: 'key=AKIAIOSFODNN7EXAMPLQ', userIdentity: { accessKeyId: 'AKIAIOSFODNN7EXAMPLQ', note: 'AKIAIOSFODNN7EXAMPLQ' } });
    expect(runDetector(sensitiveDataInLogs, [leaked]).alerts.map((a) => [a.evidence.metrics.kind, a.evidence.metrics.field]).sort()).toEqual([
      ['aws-access-key', 'query'],
      ['aws-access-key', 'userIdentity.note'],
    ]);
  });

  it("a file name under a key named `key`, or an object's key beside its bucket, is no API key; a key value elsewhere still is one", () => {
    const put = (key: string) => eventFromRaw({ eventName: 'PutObject', requestParameters: { bucketName: 'acme-deploy-artifacts', key } });
    expect(runDetector(sensitiveDataInLogs, [put('builds/0617.zip'), put('exports/2025-03/Orders_Q1.tar.gz'), put('x9F3kLm2Qp.json')]).alerts).toEqual([]);
    // Beside a bucket (or under S3's "object"), a key is an object's name, whatever its shape; a token prefix in it is still found.
    const s3event = eventFromRaw({ Records: [{ s3: { bucket: { name: 'uploads' }, object: { key: 'uploads/7f3a9c2e1b4d4e6f8a9b0c1d', size: 10 } } }] });
    expect(runDetector(sensitiveDataInLogs, [put('uploads/7f3a9c2e1b4d4e6f8a9b0c1d'), put('artifacts/App.Bundle'), s3event]).alerts).toEqual([]);
    expect(runDetector(sensitiveDataInLogs, [put('AKIAIOSFODNN7EXAMPLQ')]).alerts.map((a) => a.evidence.metrics.kind)).toEqual(['aws-access-key']);
    const apiCall = eventFromRaw({ path: '/v1/render', body: { key: 'x9F3kLm2Qp7Rt5Vw', format: 'png' } });
    const leaked = runDetector(sensitiveDataInLogs, [apiCall, eventFromRaw({ path: '/maps', query: 'key=AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW' })]);
    expect(leaked.alerts.map((a) => [a.evidence.metrics.kind, a.evidence.metrics.field]).sort()).toEqual([
      ['api-key', 'body.key'],
      ['google-api-key', 'query'],
    ]);
  });

  it("an AWS key id named as one inside a text (LookupEvents' CloudTrailEvent string, a signed URL), or a web identity token's subject, is no finding; a bare key id in a text is", () => {
    const record = JSON.stringify({ eventName: 'ListUsers', userIdentity: { type: 'IAMUser', accessKeyId: 'AKIAIOSFODNN7EXAMPLQ' } });
    const lookup = eventFromRaw({ EventName: 'ListUsers', CloudTrailEvent: record });
    const signed = eventFromRaw({ path: '/b/o', url: 'https://b.s3.amazonaws.com/o?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLQ&Expires=1' });
    expect(runDetector(sensitiveDataInLogs, [lookup, signed]).alerts).toEqual([]);
    const webIdentity = eventFromRaw({ eventName: 'AssumeRoleWithWebIdentity', responseElements: { subjectFromWebIdentityToken: 'repo:acme/infra:ref:refs/heads/main' } });
    expect(runDetector(sensitiveDataInLogs, [webIdentity]).alerts).toEqual([]);
    const pasted = eventFromRaw({ path: '/x', body: { note: 'use AKIAIOSFODNN7EXAMPLQ for the deploy' } });
    expect(runDetector(sensitiveDataInLogs, [pasted]).alerts.map((a) => a.evidence.metrics.kind)).toEqual(['aws-access-key']);
  });

  it('a bare 12-digit run is an Aadhaar number only under an Aadhaar key: a pagination cursor that passes Verhoeff stays quiet', () => {
    const cursor = eventFromRaw({ path: '/api/orders', query: 'cursor=234123412346&size=50', url: '/api/orders?cursor=234123412346' });
    expect(runDetector(sensitiveDataInLogs, [cursor]).alerts).toEqual([]);
    const keyed = eventFromRaw({ path: '/api/kyc', body: JSON.stringify({ aadhaar: '234123412346' }) });
    expect(runDetector(sensitiveDataInLogs, [keyed]).alerts.map((a) => a.evidence.metrics.kind)).toEqual(['aadhaar']);
    const grouped = eventFromRaw({ path: '/api/kyc', query: 'ref=2341 2341 2346' });
    expect(runDetector(sensitiveDataInLogs, [grouped]).alerts.map((a) => a.evidence.metrics.kind)).toEqual(['aadhaar']);
  });

  it('notes records beyond the scan limits instead of scanning them in full', () => {
    const e = eventFromRaw({ path: '/x', blob: 'a'.repeat(4000), query: 'password=late-in-record' });
    const r = runDetector(sensitiveDataInLogs, [e], { maxKiBPerRecord: 1 });
    expect(r.notes.join(' ')).toMatch(/larger or deeper than the scan limits/);
  });
});

describe('each value-recognisable kind in each place it occurs', () => {
  const b64u = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = `${b64u({ alg: 'ES256', typ: 'JWT' })}.${b64u({ sub: 'matrix-user', exp: 1767225600 })}.c2lnbmF0dXJlLWJ5dGVz`;
  const VALUES: Array<[string, string]> = [
    ['jwt', jwt],
    ['aws-access-key', 'AKIAQ3EGUR7MATRIX000'],
    ['github-token', `ghp_${'Mx7'.repeat(12)}`],
    ['stripe-key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['slack-token', 'xoxp-1234567890-0987654321-Matrix42'],
    ['google-api-key', `AIza${'SyMatrixKey0123456789'.padEnd(35, 'x')}`],
    ['openai-key', 'sk-proj-Mx9aB3cD5eF7gH9iJ1kL3mN5oP7qR9sT1uV3'],
    ['card-number', '4111 1111 1111 1111'],
    ['ssn', '536-90-4399'],
    ['aadhaar', '2345 6789 0124'],
  ];
  const PLACES: Array<[string, (v: string) => Record<string, unknown>]> = [
    ['query', (v) => ({ path: '/api/x', query: `ref=${v}&page=1` })],
    ['headers.x-note', (v) => ({ path: '/api/x', headers: { 'x-note': v } })],
    ['body', (v) => ({ path: '/api/x', method: 'POST', body: JSON.stringify({ note: `see ${v} here` }) })],
    ['user', (v) => ({ path: '/api/x', user: v })],
  ];
  for (const [kind, value] of VALUES) {
    for (const [field, make] of PLACES) {
      it(`${kind} in ${field}`, () => {
        const { alerts } = runDetector(sensitiveDataInLogs, [eventFromRaw(make(value))]);
        const found = alerts.map((a) => `${String(a.evidence.metrics.field)} ${String(a.evidence.metrics.kind)}`);
        expect(found).toEqual([`${field} ${kind}`]);
        expect(JSON.stringify(alerts)).not.toContain(value);
      });
    }
  }
});
