/**
 * Which well-known text access log a line that is not JSON comes from, so that "not JSON" can say
 * what the file is and what to do ("my log doesn't map" is most often a text log given to a JSON
 * reader). Only lines already skipped as not JSON are looked at, and the start of a file whose first
 * line opens with `[` (a JSON array or Envoy's text log): nothing here is on the hot path.
 */
import type { Sink } from './sink.js';
import { snippet } from './text.js';

interface TextLog {
  name: string;
  test: RegExp;
  /** How to get JSON from this software, when it can write JSON itself (else the docs' section). */
  advice?: string;
}

// Most specific first: an ALB line would also pass a looser space-separated test.
const TEXT_LOGS: readonly TextLog[] = [
  // type time elb client:port target:port … (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html)
  { name: 'an AWS Application Load Balancer access log', test: /^(?:https?|h2|grpcs|wss?) \d{4}-\d\d-\d\dT[\d:.]+Z \S+ [\d.:[\]a-f]+:\d+ / },
  // time elb client:port backend:port request_processing_time …
  { name: 'an AWS Classic Load Balancer access log', test: /^\d{4}-\d\d-\d\dT[\d:.]+Z \S+ [\d.]+:\d+ \S+ -?[\d.]+ -?[\d.]+ -?[\d.]+ (?:\d{3}|-) / },
  // bucket_owner bucket [time] remote_ip …
  { name: 'an Amazon S3 server access log', test: /^[0-9a-f]{64} \S+ \[\d\d\/\w{3}\/\d{4}:/ },
  // host ident user [time] "request" (Common and Combined Log Format: Apache, nginx's default)
  { name: 'a Common or Combined Log Format access log (Apache, nginx default)', test: /^\S+ \S+ \S+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "/ },
  // [start time] "method path protocol" status flags … (Envoy's default format; Istio's default starts alike).
  // Its leading `[` is no JSON array: the reader checks this before taking the file for one.
  {
    name: "Envoy's default text access log format (Envoy, Istio)",
    test: /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)\] "[^"]*" (?:\d+|-) /,
    advice:
      "configure Envoy's JSON access log: `json_format` in the access log's `log_format`, or meshConfig.accessLogEncoding JSON for Istio; docs/formats.md#text-access-logs shows one",
  },
  // W3C extended: directives, or CloudFront's tab-separated date and time
  { name: 'a W3C extended log (IIS, CloudFront)', test: /^#(?:Version|Fields|Software|Date):|^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\t/ },
  // key=value pairs (Heroku router, Go logfmt)
  { name: 'a logfmt (key=value) log', test: /^(?:[\w.-]+=(?:"[^"]*"|\S*)\s+){3,}/ },
];

/** The kind of text access log `line` looks like, or undefined. */
export function textLogKind(line: string): string | undefined {
  for (const t of TEXT_LOGS) if (t.test.test(line)) return t.name;
  return undefined;
}

/** Report `text` (the start of a line that is not JSON) as skipped, naming the text log it looks like. */
export function notJsonIssue(sink: Pick<Sink, 'issue'>, line: number, text: string): void {
  const kind = textLogKind(text);
  sink.issue('not-json', line, `not JSON${kind === undefined ? '' : ` (looks like ${kind})`}: ${snippet(text)}`, kind);
}

/** What to tell a user whose file holds `kind` lines. */
export function textLogAdvice(kind: string): string {
  const how = TEXT_LOGS.find((t) => t.name === kind)?.advice ?? 'docs/formats.md#text-access-logs says how to get JSON';
  return `its lines look like ${kind}, which is text: apilog reads JSON and NDJSON (${how})`;
}
