/**
 * Text access logs named in "not JSON" messages (src/ingest/text-logs.ts): each well-known layout
 * is told apart, and ordinary non-JSON lines (a banner, a header dump, a Go log line) are not
 * called an access log.
 */
import { describe, expect, it } from 'vitest';
import { textLogKind } from '../../src/ingest/text-logs.js';

const ALB =
  'https 2025-03-10T10:00:00.123456Z app/my-lb/50dc6c495c0c9188 203.0.113.5:46532 10.0.1.7:80 0.000 0.001 0.000 200 200 34 366 "GET https://api.example.com:443/api/v1/users/42 HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2';
const CLB = '2025-03-10T10:00:00.123456Z my-clb 203.0.113.5:46532 10.0.1.7:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -';
const S3 =
  '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /awsexamplebucket1?versioning HTTP/1.1" 200';
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
