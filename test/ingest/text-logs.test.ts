/**
 * Text access logs named in "not JSON" messages (src/ingest/text-logs.ts): each well-known layout
 * is told apart, and ordinary non-JSON lines (a banner, a header dump, a Go log line) are not
 * called an access log.
 */
import { describe, expect, it } from 'vitest';
import { textLogAdvice, textLogKind } from '../../src/ingest/text-logs.js';
import { readChunks, split } from './helpers.js';

const ALB =
  'https 2025-03-10T10:00:00.123456Z app/my-lb/50dc6c495c0c9188 203.0.113.5:46532 10.0.1.7:80 0.000 0.001 0.000 200 200 34 366 "GET https://api.example.com:443/api/v1/users/42 HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2';
const CLB = '2025-03-10T10:00:00.123456Z my-clb 203.0.113.5:46532 10.0.1.7:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -';
const S3 =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200';
// Envoy's default format: [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% …
const ENVOY = '[2025-06-02T08:00:00.000Z] "GET /api/v1/orders/1 HTTP/1.1" 200 - 0 512 3 2 "-" "curl/8.0" "req-id" "api.example.com" "10.0.0.5:8080"';
// Istio's default text format starts alike (response code details and more after the flags).
const ISTIO =
  '[2025-06-02T08:00:00.123Z] "POST /api/v1/cart HTTP/2" 503 UF upstream_reset_before_response_started{connection_failure} - "-" 120 91 3 - "81.2.69.142" "okhttp/4.12.0" "b1c4" "cart:8080" "10.0.0.7:8080" outbound|8080||cart.default.svc.cluster.local - 10.96.0.10:8080 10.0.0.5:50412 - default';
const ENVOY_NAME = "Envoy's default text access log format (Envoy, Istio)";
const COMBINED = '203.0.113.5 - alice [10/Mar/2025:10:00:01 +0000] "GET /api/v1/users/43 HTTP/1.1" 200 366 "-" "curl/8.5.0"';

describe('textLogKind', () => {
  it('names each well-known text access log', () => {
    expect(textLogKind(ALB)).toBe('an AWS Application Load Balancer access log');
    expect(textLogKind(ALB.replace(/^https/, 'h2'))).toBe('an AWS Application Load Balancer access log');
    expect(textLogKind(CLB)).toBe('an AWS Classic Load Balancer access log');
    expect(textLogKind(S3)).toBe('an Amazon S3 server access log');
    expect(textLogKind(COMBINED)).toBe('a Common or Combined Log Format access log (Apache, nginx default)');
    expect(textLogKind('#Fields: date time s-ip cs-method cs-uri-stem')).toBe('a W3C extended log (IIS, CloudFront)');
    expect(textLogKind('2025-03-10\t10:00:00\tFRA2\t366\t203.0.113.5\tGET')).toBe('a W3C extended log (IIS, CloudFront)');
    expect(textLogKind('at=info method=GET path="/api/v1/x" host=a.example.com status=200 bytes=10')).toBe('a logfmt (key=value) log');
    expect(textLogKind(ENVOY)).toBe(ENVOY_NAME);
    expect(textLogKind(ISTIO)).toBe(ENVOY_NAME);
    expect(textLogKind('[2025-06-02T08:00:00+02:00] "- - -" 0 UH 0 0 1 - "-" "-" "-" "-" "-"')).toBe(ENVOY_NAME);
  });

  it('does not take a JSON array for an Envoy log', () => {
    for (const line of ['[{"start_time":"2025-06-02T08:00:00.000Z"}]', '["2025-06-02T08:00:00.000Z", "GET"]', '[', '[2025, 6, 2]', '[ "2025-06-02T08:00:00.000Z" ] "x" 200 ']) {
      expect(textLogKind(line), line).toBeUndefined();
    }
  });

  it("points an Envoy text log at Envoy's JSON access log, others at the docs", () => {
    expect(textLogAdvice(ENVOY_NAME)).toContain("configure Envoy's JSON access log: `json_format` in the access log's `log_format`");
    expect(textLogAdvice(ENVOY_NAME)).toContain('docs/formats.md#text-access-logs');
    expect(textLogAdvice(textLogKind(COMBINED)!)).toBe(
      'its lines look like a Common or Combined Log Format access log (Apache, nginx default), which is text: apilog reads JSON and NDJSON (docs/formats.md#text-access-logs says how to get JSON)',
    );
  });

  it('leaves other lines unnamed', () => {
    for (const line of [
      'Authorization: Bearer abc.def.ghi',
      'server listening on :8080',
      '2025/03/10 10:00:00 starting worker pool',
      '[INFO] 2025-03-10 10:00:00 request done',
      'GET /api/v1/users/42 200',
      'a=1 b=2',
      '',
    ]) {
      expect(textLogKind(line), line).toBeUndefined();
    }
  });
});

describe('reading an Envoy text access log', () => {
  // Its leading `[` is not a JSON array: each line is one problem, named, whatever the chunking.
  const text = Array.from({ length: 20 }, (_, i) => ENVOY.replace('/orders/1 ', `/orders/${i} `).replace('08:00:00', `08:00:${String(i).padStart(2, '0')}`)).join('\n') + '\n';

  it('reports one not-JSON problem per line, naming the log', async () => {
    for (const chunks of [[text], split(text, 7), split(text, 300)]) {
      const c = await readChunks(chunks);
      expect(c.records).toHaveLength(0);
      expect(c.stats.container).not.toBe('json-array');
      expect(c.issues).toHaveLength(20);
      expect(c.issues.map((i) => i.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      for (const i of c.issues) {
        expect(i.kind).toBe('not-json');
        expect(i.textLog).toBe(ENVOY_NAME);
        expect(i.message).toMatch(/^not JSON \(looks like Envoy's default text access log format \(Envoy, Istio\)\): \[2025-06-02T08:00:/);
      }
    }
  });

  it('still reads a JSON array, and an Envoy line inside NDJSON is one problem', async () => {
    const arr = await readChunks(['[{"start_time":"2025-06-02T08:00:00.000Z","method":"GET"},\n', '{"start_time":"2025-06-02T08:00:01.000Z"}]\n']);
    expect(arr.stats.container).toBe('json-array');
    expect(arr.records).toHaveLength(2);
    expect(arr.issues).toEqual([]);
    const mixed = await readChunks([`{"a":1}\n${ENVOY}\n{"a":2}\n`]);
    expect(mixed.records).toHaveLength(2);
    expect(mixed.issues.map((i) => [i.kind, i.line, i.textLog])).toEqual([['not-json', 2, ENVOY_NAME]]);
  });
});

