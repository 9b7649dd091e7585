import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { builtinDetectors } from '../../src/detect/index.js';
import { ConfigError, compileIpList, compileRouteList, compileUaList, describeRules, loadRules, packageRoot, unsafeRegexReason } from '../../src/rules/index.js';
import { tempDirs } from '../helpers/temp.js';

const tmp = tempDirs()('apilog-rules-');

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadRules', () => {
  it('loads the shipped defaults, with their origins', () => {
    const r = loadRules([]);
    expect(r.businessHours).toEqual({ timezone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' });
    expect(r.latenessMs).toBe(300_000);
    expect(r.maxActors).toBe(200_000);
    expect(r.takeoverWindowHours).toBe(24);
    expect(r.routes.login.length).toBeGreaterThan(5);
    expect(r.policy.roles.external_partner).toContain('create_order');
    expect(r.policy.permissions.create_order).toEqual(['POST /api/v1/orders']);
    expect(Object.keys(r.policy.roles)).toEqual(expect.arrayContaining(['admin', 'customer', 'external_partner', 'support']));
    expect(r.origins['businessHours.timezone']).toBe('rules/defaults.yaml');
    expect(r.origins['routes.admin']).toBe('rules/routes.yaml');
  });

  it('finds the package root from its own location', () => {
    expect(fs.existsSync(path.join(packageRoot(), 'rules', 'defaults.yaml'))).toBe(true);
  });

  it('deep-merges --rules files in order; lists replace; origins follow', () => {
    const a = file('a.yaml', 'businessHours:\n  timezone: Europe/Berlin\nallow:\n  ips: ["203.0.113.0/24"]\n');
    const b = file('b.yaml', 'businessHours:\n  start: "08:00"\ndetectors:\n  bola-enumeration:\n    threshold: 30\n');
    const r = loadRules([a, b]);
    expect(r.businessHours).toMatchObject({ timezone: 'Europe/Berlin', start: '08:00', end: '18:00' });
    expect(r.allow.ips).toEqual(['203.0.113.0/24']);
    expect(r.detectors['bola-enumeration']).toMatchObject({ threshold: 30, windowMinutes: 10 });
    expect(r.origins['businessHours.timezone']).toBe(a);
    expect(r.origins['businessHours.start']).toBe(b);
    expect(r.origins['businessHours.end']).toBe('rules/defaults.yaml');
    expect(r.origins['detectors.bola-enumeration.threshold']).toBe(b);
  });

  it("a --rules policy replaces the shipped example's roles and permissions as a whole; {} clears them", () => {
    const mine = file('policy-mine.yaml', 'policy:\n  roles:\n    ops: [deploy]\n  permissions:\n    deploy: ["POST /deploy/**"]\n');
    const r = loadRules([mine]);
    expect(r.policy.roles).toEqual({ ops: ['deploy'] });
    expect(r.policy.permissions).toEqual({ deploy: ['POST /deploy/**'] });
    expect(r.policy.adminRoles).toEqual(['admin']);
    expect(r.origins['policy.roles.ops']).toBe(mine);
    expect(Object.keys(r.origins).filter((k) => k.startsWith('policy.roles.') || k.startsWith('policy.permissions.')).every((k) => r.origins[k] === mine)).toBe(true);
    const none = file('policy-none.yaml', 'policy:\n  roles: {}\n  permissions: {}\n');
    const n = loadRules([none]);
    expect(n.policy.roles).toEqual({});
    expect(n.policy.permissions).toEqual({});
    expect(n.origins['policy.roles']).toBe(none);
    expect(describeRules(n, builtinDetectors).filter((row) => row.option.startsWith('policy.r') || row.option.startsWith('policy.p'))).toEqual([
      { detector: '(global)', option: 'policy.roles', value: {}, origin: none },
      { detector: '(global)', option: 'policy.permissions', value: {}, origin: none },
    ]);
    // Other mappings still merge key by key.
    expect(loadRules([file('bh.yaml', 'businessHours:\n  start: "08:00"\n')]).businessHours.end).toBe('18:00');
  });

  it('loads a folder of YAML files in name order and leaves Sigma rules to the signature engine', () => {
    file('dir/10-hours.yaml', 'businessHours:\n  end: "17:00"\n');
    file('dir/20-hours.yml', 'businessHours:\n  end: "19:00"\n');
    file('dir/sigma.yaml', 'title: x\nlogsource: { category: webserver }\ndetection: { sel: { a: b }, condition: sel }\n');
    file('dir/notes.txt', 'ignored');
    expect(loadRules([path.join(tmp, 'dir')]).businessHours.end).toBe('19:00');
  });

  it.each([
    ['unknown top-level key', 'thresholds:\n  x: 1\n', 'thresholds', /unknown key/],
    ['unknown nested key', 'businessHours:\n  zone: UTC\n', 'businessHours.zone', /unknown key \(known: timezone, days, start, end\)/],
    ['bad time zone', 'businessHours:\n  timezone: Mars/Olympus\n', 'businessHours.timezone', /expected an IANA time zone .* got "Mars\/Olympus"/],
    ['bad clock', 'businessHours:\n  start: "9am"\n', 'businessHours.start', /expected a time "HH:MM", got "9am"/],
    ['hour out of range', 'businessHours:\n  end: "25:00"\n', 'businessHours.end', /HH:MM/],
    ['bad weekday', 'businessHours:\n  days: [1, 8]\n', 'businessHours.days[1]', /ISO weekday/],
    ['bad CIDR', 'allow:\n  ips: ["10.0.0.0/33"]\n', 'allow.ips[0]', /expected an IP address or CIDR, got "10.0.0.0\/33"/],
    ['bad regex', 'routes:\n  admin: ["re:(unclosed"]\n', 'routes.admin[0]', /Invalid regular expression|Unterminated group/],
    ['nested quantifiers', 'allow:\n  userAgents: ["re:(a+)+$"]\n', 'allow.userAgents[0]', /nested quantifiers/],
    ['route without slash', 'routes:\n  login: ["login"]\n', 'routes.login[0]', /starts with "\/"/],
    ['wrong type', 'routes:\n  admin: "/admin/**"\n', 'routes.admin', /expected a list of strings, got "\/admin\/\*\*"/],
    ['bad data kind', 'classification:\n  - { pattern: /x, kind: secret }\n', 'classification[0].kind', /expected one of personal/],
    ['negative lateness', 'latenessMs: -5\n', 'latenessMs', /non-negative/],
    ['takeover window in words', 'takeoverWindowHours: one day\n', 'takeoverWindowHours', /non-negative number of hours/],
    ['detector options not a mapping', 'detectors:\n  scraping: 5\n', 'detectors.scraping', /mapping/],
  ])('rejects %s with a ConfigError naming the file and key', (_what, text, key, message) => {
    const p = file(`bad-${key.replace(/\W/g, '_')}.yaml`, text);
    const err = configError(() => loadRules([p]));
    expect(err.file).toBe(p);
    expect(err.key).toBe(key);
    expect(err.message.startsWith(`${p}: ${key}: `)).toBe(true);
    expect(err.message).toMatch(message);
  });

  it('reports YAML syntax errors with the line', () => {
    const p = file('syntax.yaml', 'businessHours:\n  start: "09:00\n  end: x\n');
    const err = configError(() => loadRules([p]));
    expect(err.message).toMatch(/not valid YAML/);
  });

  it('rejects a missing --rules path and an empty working window', () => {
    expect(configError(() => loadRules([path.join(tmp, 'nope.yaml')])).message).toMatch(/not found/);
    const p = file('empty-window.yaml', 'businessHours:\n  start: "09:00"\n  end: "09:00"\n');
    expect(configError(() => loadRules([p])).message).toMatch(/window would be empty/);
  });

  it('detector option values are validated when the pipeline or describeRules resolves them', () => {
    const p = file('custom.yaml', 'detectors:\n  bola-enumeration:\n    threshold: ten\n');
    const rules = loadRules([p]);
    const err = configError(() => describeRules(rules, builtinDetectors));
    expect(err.message).toBe(`${p}: detectors.bola-enumeration.threshold: expected a positive number, got "ten"`);
  });

  it('detector options are checked beyond their type: a pagination parameter that cannot be a name is refused', () => {
    const p = file('paging.yaml', 'detectors:\n  scraping:\n    paginationParams: [cursor, "page=1"]\n');
    const err = configError(() => describeRules(loadRules([p]), builtinDetectors));
    expect(err.message).toBe(`${p}: detectors.scraping.paginationParams[1]: expected a query parameter name (no &, =, ?, #, [ or spaces), got "page=1"`);
    const q = file('paging2.yaml', 'detectors:\n  scraping:\n    paginationParams: cursor\n');
    expect(configError(() => describeRules(loadRules([q]), builtinDetectors)).message).toBe(`${q}: detectors.scraping.paginationParams: expected a list of strings, got "cursor"`);
    const ok = file('paging3.yaml', 'detectors:\n  scraping:\n    paginationParams: [cursor, pageToken]\n');
    expect(describeRules(loadRules([ok]), builtinDetectors)).toContainEqual({ detector: 'scraping', option: 'paginationParams', value: ['cursor', 'pageToken'], origin: ok });
  });
});

describe('describeRules', () => {
  it('lists every effective setting with where it came from', () => {
    const p = file('over.yaml', 'detectors:\n  scraping:\n    ratePerMinute: 120\n');
    const rows = describeRules(loadRules([p]), builtinDetectors);
    expect(rows).toContainEqual({ detector: 'scraping', option: 'ratePerMinute', value: 120, origin: p });
    expect(rows).toContainEqual({ detector: '(global)', option: 'businessHours.timezone', value: 'UTC', origin: 'rules/defaults.yaml' });
    const bola = builtinDetectors.find((d) => d.meta.id === 'bola-enumeration')!;
    expect(rows.filter((r) => r.detector === 'bola-enumeration').length).toBe(Object.keys(bola.meta.options).length);
  });

  it('rules/detectors.yaml documents exactly the built-in defaults', () => {
    const doc = YAML.parse(fs.readFileSync(path.join(packageRoot(), 'rules/detectors.yaml'), 'utf8')) as { detectors: Record<string, Record<string, unknown>> };
    const six = ['bola-enumeration', 'credential-stuffing', 'data-exfiltration', 'impossible-travel', 'after-hours-admin', 'scraping'];
    expect(Object.keys(doc.detectors)).toEqual(expect.arrayContaining(six));
    for (const [id, options] of Object.entries(doc.detectors)) {
      const d = builtinDetectors.find((x) => x.meta.id === id);
      expect(d, `rules/detectors.yaml names unknown detector ${id}`).toBeDefined();
      expect(options, id).toEqual(d!.meta.options);
    }
  });
});

describe('matchers', () => {
  it('route patterns: **, *, {name}, re:', () => {
    const admin = compileRouteList(['/admin/**', '/**/users/{id}/roles', '/api/*/keys', 're:^/internal\\b']);
    expect(admin('/admin')).toBe(true);
    expect(admin('/admin/users/{id}')).toBe(true);
    expect(admin('/api/v1/users/{id}/roles')).toBe(true);
    expect(admin('/users/42/roles')).toBe(true);
    expect(admin('/api/v2/keys')).toBe(true);
    expect(admin('/internal/metrics')).toBe(true);
    expect(admin('/administrator')).toBe(false);
    expect(admin('/api/v1/users/{id}')).toBe(false);
    expect(admin('/ADMIN/x')).toBe(true);
  });

  it('IP lists accept addresses and CIDRs (v4, v6, v4-mapped)', () => {
    const allow = compileIpList(['10.0.0.0/8', '2001:db8::/32', '198.51.100.7']);
    expect(allow('10.2.3.4')).toBe(true);
    expect(allow('::ffff:10.2.3.4')).toBe(true);
    expect(allow('2001:db8::1')).toBe(true);
    expect(allow('198.51.100.7')).toBe(true);
    expect(allow('198.51.100.8')).toBe(false);
    expect(allow('not an ip')).toBe(false);
    expect(allow(undefined)).toBe(false);
    // Entries written as IPv4-mapped IPv6 match the IPv4 callers they name, in either spelling.
    const mapped = compileIpList(['::ffff:203.0.113.0/120', '::ffff:192.0.2.9']);
    expect(mapped('203.0.113.77')).toBe(true);
    expect(mapped('::ffff:203.0.113.77')).toBe(true);
    expect(mapped('192.0.2.9')).toBe(true);
    expect(mapped('192.0.2.10')).toBe(false);
    expect(mapped('203.0.114.1')).toBe(false);
  });

  it('user-agent lists: substrings and regexes', () => {
    const ua = compileUaList(['UptimeRobot', 're:^Pingdom']);
    expect(ua('Mozilla/5.0 (compatible; UptimeRobot/2.0)')).toBe(true);
    expect(ua('Pingdom.com_bot')).toBe(true);
    expect(ua('curl/8')).toBe(false);
  });

  it('refuses regexes with nested quantifiers', () => {
    expect(unsafeRegexReason('(a+)+')).toMatch(/nested/);
    expect(unsafeRegexReason('(\\w*)*x')).toMatch(/nested/);
    expect(unsafeRegexReason('((ab)+c)*')).toMatch(/nested/);
    expect(unsafeRegexReason('(x+){2,}')).toMatch(/nested/);
    expect(unsafeRegexReason('^/api/(v1|v2)/users/\\d+$')).toBeNull();
    expect(unsafeRegexReason('[(a+)+]')).toBeNull();
    expect(unsafeRegexReason('(ab)+')).toBeNull();
  });
});
