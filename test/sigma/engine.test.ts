import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadSigmaRules, createSigmaDetector, EventView } from '../../src/sigma/index.js';
import { eventFromRaw, runDetector } from '../signatures/helpers.js';
import { ROOT } from '../helpers/cli.js';

const RULES = path.join(ROOT, 'fixtures/sigma/rules');
const UNSUPPORTED = path.join(ROOT, 'fixtures/sigma/unsupported');

const loaded = loadSigmaRules([RULES]);

function matching(raw: Record<string, unknown>): string[] {
  const view = new EventView(false);
  view.reset(eventFromRaw(raw));
  return loaded.rules.filter((r) => r.match(view)).map((r) => r.id).sort();
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const CASES: Array<[string, Record<string, unknown>, string[]]> = [
  ['exact values', { method: 'delete', path: '/api/items/1', status: 204 }, ['t-exact']],
  ['contains, case-insensitive; contains|all', { path: '/search', query: 'q=1 UNION SELECT password FROM users' }, ['t-all', 't-contains']],
  ['benign look-alike', { path: '/search', query: 'q=select shoes' }, []],
  ['startswith', { path: '/internal/metrics' }, ['t-startswith']],
  ['endswith, case-insensitive', { path: '/backup/db.BAK' }, ['t-endswith']],
  ['re is case-sensitive', { path: '/x', ua: 'curl/8.4.0' }, ['t-re']],
  ['re does not match other case', { path: '/x', ua: 'CURL/8.4.0' }, []],
  ['re|i', { path: '/x', ua: 'Python-Requests/2.31' }, ['t-re-i']],
  ['cidr v4', { ip: '10.1.2.3' }, ['t-cidr']],
  ['cidr v6', { ip: '2001:db8::1' }, ['t-cidr']],
  ['cidr v4-mapped v6', { ip: '::ffff:10.0.0.5' }, ['t-cidr']],
  ['cidr miss', { ip: '11.0.0.1' }, []],
  ['cidr range written v4-mapped, caller v4', { ip: '198.19.4.5' }, ['t-cidr']],
  ['cidr range written v4-mapped, miss', { ip: '198.20.0.1' }, []],
  ['base64', { query: `cmd=${b64('whoami')}` }, ['t-base64']],
  ['base64 is case-sensitive', { query: `cmd=${b64('whoami').toUpperCase()}` }, []],
  ['base64offset shift 0', { query: `p=${b64('http://evil.example/x')}` }, ['t-base64offset']],
  ['base64offset shift 1', { query: `p=${b64('xhttp://evil.example/x')}` }, ['t-base64offset']],
  ['base64offset shift 2', { query: `p=${b64('xyhttp://evil.example/x')}` }, ['t-base64offset']],
  ['base64offset miss', { query: `p=${b64('ftp://evil.example/x')}` }, []],
  ['exists false', { method: 'POST', path: '/exists-test' }, ['t-exists']],
  ['exists false, field present', { method: 'POST', path: '/exists-test', referer: 'https://app.example.com/' }, []],
  ['gt and lte', { path: '/dl', bytes_out: 2_000_000, latency_ms: 3 }, ['t-numeric']],
  ['gt but not lte', { path: '/dl', bytes_out: 2_000_000, latency_ms: 50 }, []],
  ['gte and not lt', { path: '/e', status: 500 }, ['t-numeric-range']],
  ['gte 501', { path: '/e', status: 501 }, ['t-numeric-range']],
  ['lt filter', { path: '/e', status: 502 }, []],
  ['cased', { path: '/Admin/panel' }, ['t-cased']],
  ['cased miss', { path: '/admin/panel' }, []],
  ['* and ? wildcards', { path: '/api/v2/users/7' }, ['t-wildcards']],
  ['? is one character', { path: '/api/v2/users/77' }, []],
  ['escaped \\* is a literal star', { path: '/s', query: 'q=*' }, ['t-wildcards']],
  ['escaped star miss', { path: '/s', query: 'q=x' }, []],
  ['keywords anywhere in the record', { path: '/x', message: 'lookup ${jndi:ldap://x}' }, ['t-keywords']],
  ['keywords |all across fields', { path: '/x', note: 'alpha-marker', other: 'omega-marker' }, ['t-keywords-all']],
  ['keywords |all needs both', { path: '/x', note: 'alpha-marker' }, []],
  ['null: no user', { path: '/private/data' }, ['t-null']],
  ['null: user present', { path: '/private/data', user: 'bob' }, []],
  ['neq', { method: 'POST', path: '/api/export' }, ['t-neq']],
  ['neq miss', { method: 'GET', path: '/api/export' }, []],
  ['fieldref', { path: '/p', user: 'alice', target_user: 'ALICE' }, ['t-fieldref']],
  ['fieldref miss', { path: '/p', user: 'alice', target_user: 'bob' }, []],
  ['hour', { ts: '2025-03-15T23:10:00Z', path: '/night' }, ['t-hour']],
  ['hour miss', { ts: '2025-03-15T10:10:00Z', path: '/night' }, []],
  ['raw.<path>', { path: '/r', headers: { 'x-forwarded-for': '192.0.2.44' } }, ['t-raw']],
  ['and not', { path: '/cond/andnot', ip: '203.0.113.5' }, ['c-and-not']],
  ['and not: filtered', { path: '/cond/andnot', ip: '198.51.100.1' }, []],
  ['1 of pattern (first)', { path: '/cond/one' }, ['c-1of']],
  ['1 of pattern (second)', { path: '/cond/two' }, ['c-1of']],
  ['all of pattern', { path: '/cond/all', method: 'PUT' }, ['c-allof']],
  ['all of pattern: one missing', { path: '/cond/all', method: 'GET' }, []],
  ['1 of them', { path: '/cond/them2' }, ['c-them']],
  ['them excludes _identifiers', { path: '/cond/helper' }, []],
  ['all of them', { path: '/cond/allthem', status: 418 }, ['c-allthem']],
  ['all of them: one missing', { path: '/cond/allthem', status: 200 }, []],
  ['precedence: (a or b) and not c', { path: '/cond/p2', status: 200 }, ['c-parens']],
  ['precedence: not c', { path: '/cond/p2', status: 403 }, []],
  ['precedence: ... or d and a', { path: '/cond/p1', status: 403, method: 'HEAD' }, ['c-parens']],
  ['precedence: d without a', { path: '/cond/p2', status: 403, method: 'HEAD' }, []],
  ['condition list', { path: '/cond/list-y' }, ['c-list']],
  ['2 of pattern', { path: '/n', query: 'a=1&c=1' }, ['c-nof']],
  ['2 of pattern: only one', { path: '/n', query: 'a=1' }, []],
  ['2 of pattern: filtered', { path: '/n', query: 'a=1&b=1', ip: '198.51.100.9' }, []],
  ['list of maps (1)', { path: '/cond/lm1' }, ['c-listmaps']],
  ['list of maps (2)', { path: '/z', ua: 'my lm-agent/1' }, ['c-listmaps']],
  ['proxy names', { path: '/evil.example/payload.sh', ua: 'Wget/1.21', host: 'files.example.net' }, ['p-proxy']],
];

describe('Sigma engine: modifiers and conditions', () => {
  it('loads every test rule', () => {
    expect(loaded.rejected).toEqual([]);
    expect(loaded.rules.length).toBe(32);
  });

  for (const [name, raw, ids] of CASES) {
    it(name, () => {
      expect(matching(raw)).toEqual(ids);
    });
  }

  it('keeps level, status, tags and custom attributes', () => {
    const r = loaded.rules.find((x) => x.id === 't-exact')!;
    expect(r).toMatchObject({ level: 'low', severity: 'low', status: 'test', tags: ['attack.impact'], title: 'Exact values (case-insensitive strings, numbers)' });
    expect(loaded.rules.find((x) => x.id === 't-cidr')!.severity).toBe('info');
    expect(loaded.rules.find((x) => x.id === 't-keywords')!.severity).toBe('critical');
  });
});

describe('Sigma engine: rules apilog cannot run are listed with a reason', () => {
  const res = loadSigmaRules([RULES, UNSUPPORTED]);
  const reason = (idOrFile: string): string => {
    const r = res.rejected.find((x) => x.id === idOrFile || path.basename(x.file) === idOrFile);
    return r ? r.reason : '(not rejected)';
  };

  it.each([
    ['u-windash', /windash/],
    ['u-correlation', /correlation rule \(event_count\) is not supported/],
    ['u-count', /aggregation/],
    ['u-timeframe', /timeframe/],
    ['u-logsource', /logsource category process_creation, product windows/],
    ['u-field', /unknown field "s-ip"/],
    ['u-nested-re', /nested quantifier/],
    ['u-backref', /back-reference/],
    ['u-alt-re', /alternatives/],
    ['u-unknown-modifier', /unknown modifier "sortof"/],
    ['u-expand', /expand/],
    ['u-utf16le', /utf16le/],
    ['u-bad-cond', /unknown search identifier "filter"/],
    ['u-near', /"near" \(temporal condition\) is not supported/],
    ['u-level', /level "urgent"/],
    ['broken.yml', /not valid YAML/],
    ['global.yml', /action "global"/],
  ])('%s', (id, re) => {
    expect(reason(id)).toMatch(re);
  });

  it('a duplicate id is rejected, the first kept', () => {
    const dup = res.rejected.find((x) => x.id === 't-exact')!;
    expect(dup.reason).toMatch(/duplicate rule id \(first loaded from .*modifiers\.yml\)/);
    expect(res.rules.filter((r) => r.id === 't-exact')).toHaveLength(1);
  });

  it('nothing is dropped silently: every document is either loaded or rejected', () => {
    expect(res.rules.length).toBe(32);
    expect(res.rejected.length).toBe(18);
  });

  it('a missing path is reported', () => {
    const r = loadSigmaRules([path.join(ROOT, 'fixtures/sigma/nope')]);
    expect(r.rejected[0]!.reason).toMatch(/cannot read/);
  });
});

describe('createSigmaDetector', () => {
  it('one alert per (rule, actor) incident, with sigma id/title/tags, level as severity and rule sigma:<id>', () => {
    const { rules } = loadSigmaRules([RULES]);
    const events = [
      eventFromRaw({ ts: '2025-03-15T10:00:00Z', ip: '198.51.100.7', path: '/search', query: 'q=1 union select 1', status: 200 }, 'f', 1),
      eventFromRaw({ ts: '2025-03-15T10:01:00Z', ip: '198.51.100.7', path: '/search', query: 'q=2 union select 2', status: 500 }, 'f', 2),
      eventFromRaw({ ts: '2025-03-15T12:00:00Z', ip: '198.51.100.7', path: '/search', query: 'q=3 union select 3', status: 200 }, 'f', 3),
      eventFromRaw({ ts: '2025-03-15T10:02:00Z', ip: '198.51.100.8', path: '/search', query: 'q=union select', status: 200 }, 'f', 4),
    ];
    const { alerts } = runDetector(createSigmaDetector(rules), events);
    const contains = alerts.filter((a) => a.rule === 'sigma:t-contains');
    expect(contains).toHaveLength(3);
    const first = contains.find((a) => a.subject.ip === '198.51.100.7' && a.evidence.metrics.matches === 2)!;
    expect(first).toMatchObject({ severity: 'high', title: 'contains', sigma: { id: 't-contains', title: 'contains', tags: [] } });
    expect(first.evidence.samples.map((s) => s.line)).toEqual([1, 2]);
    expect(first.end - first.start).toBe(60_000);
  });
});
