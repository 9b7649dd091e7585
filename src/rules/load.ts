/**
 * Loading rules: the shipped rules/*.yaml, then each --rules file or folder in order, deep-merged
 * (mappings merge key by key, except policy.roles and policy.permissions; lists and scalars replace). Every value is validated where it is read
 * and remembers which file set it (`origins`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { ConfigError } from './errors.js';
import {
  compileSafeRegex,
  ipOrCidrProblem,
  isValidTimeZone,
  parseClock,
  parseMethodPattern,
  routePatternSource,
} from './match.js';
import { DATA_KINDS, DEFAULT_LATENESS_MS, DEFAULT_MAX_ACTORS, DEFAULT_TAKEOVER_WINDOW_HOURS, type RuleSet } from './types.js';

type Plain = Record<string, unknown>;

/** The apilog package root (holds package.json and rules/), found from this module's location. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'rules'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  // src/rules/load.ts and dist/rules/load.js both sit two levels below the root.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SECTIONS: Record<string, readonly string[] | 'map' | 'list' | 'scalar'> = {
  businessHours: ['timezone', 'days', 'start', 'end'],
  routes: ['admin', 'login', 'export', 'sensitive', 'health'],
  allow: ['ips', 'users', 'apiKeys', 'userAgents'],
  classification: 'list',
  policy: ['adminRoles', 'roles', 'permissions'],
  detectors: 'map',
  latenessMs: 'scalar',
  maxActors: 'scalar',
  takeoverWindowHours: 'scalar',
  trustedProxies: 'list',
};

class Checker {
  constructor(readonly file: string) {}

  fail(key: string, expected: string, got: unknown, message?: string): never {
    throw new ConfigError({ file: this.file, key, expected, got, ...(message ? { message } : {}) });
  }

  stringList(key: string, v: unknown, each?: (s: string, k: string) => void): string[] {
    if (!Array.isArray(v)) this.fail(key, 'a list of strings', v);
    v.forEach((s, i) => {
      if (typeof s !== 'string' || s === '') this.fail(`${key}[${i}]`, 'a non-empty string', s);
      each?.(s, `${key}[${i}]`);
    });
    return v as string[];
  }

  routePattern(s: string, key: string): void {
    const { pattern } = parseMethodPattern(s);
    try {
      routePatternSource(pattern);
    } catch (err) {
      const expected = 'a route pattern ("/admin/**", "/users/{id}" or "re:<safe regex>")';
      this.fail(key, expected, s, `expected ${expected}, got ${JSON.stringify(s)}: ${(err as Error).message}`);
    }
  }

  mapOfLists(key: string, v: unknown, each?: (s: string, k: string) => void): void {
    if (!isPlain(v)) this.fail(key, 'a mapping of name -> list', v);
    for (const [k, list] of Object.entries(v)) this.stringList(`${key}.${k}`, list, each);
  }
}

/** Validate one file's document (a partial RuleSet). Throws ConfigError on the first problem. */
function validateDoc(doc: Plain, file: string): void {
  const c: Checker = new Checker(file);
  for (const [top, value] of Object.entries(doc)) {
    const shape = SECTIONS[top];
    if (!shape) c.fail(top, `one of ${Object.keys(SECTIONS).join(', ')}`, top, `unknown key (known: ${Object.keys(SECTIONS).join(', ')})`);
    if (Array.isArray(shape)) {
      if (!isPlain(value)) c.fail(top, 'a mapping', value);
      for (const k of Object.keys(value)) {
        if (!shape.includes(k)) c.fail(`${top}.${k}`, `one of ${shape.join(', ')}`, k, `unknown key (known: ${shape.join(', ')})`);
      }
    }
    switch (top) {
      case 'businessHours': {
        const bh = value as Plain;
        if ('timezone' in bh && (typeof bh.timezone !== 'string' || !isValidTimeZone(bh.timezone)))
          c.fail('businessHours.timezone', 'an IANA time zone such as "Europe/Berlin"', bh.timezone);
        if ('days' in bh) {
          if (!Array.isArray(bh.days)) c.fail('businessHours.days', 'a list of ISO weekdays 1-7', bh.days);
          bh.days.forEach((d, i) => {
            if (!Number.isInteger(d) || (d as number) < 1 || (d as number) > 7) c.fail(`businessHours.days[${i}]`, 'an ISO weekday 1 (Monday) to 7 (Sunday)', d);
          });
        }
        for (const k of ['start', 'end'] as const) {
          if (k in bh && (typeof bh[k] !== 'string' || parseClock(bh[k] as string) === null))
            c.fail(`businessHours.${k}`, 'a time "HH:MM"', bh[k]);
        }
        break;
      }
      case 'routes':
        for (const [k, v] of Object.entries(value as Plain)) c.stringList(`routes.${k}`, v, (s, key) => c.routePattern(s, key));
        break;
      case 'allow': {
        const a = value as Plain;
        if ('ips' in a) c.stringList('allow.ips', a.ips, (s, key) => { if (ipOrCidrProblem(s)) c.fail(key, 'an IP address or CIDR', s); });
        if ('users' in a) c.stringList('allow.users', a.users);
        if ('apiKeys' in a) c.stringList('allow.apiKeys', a.apiKeys);
        if ('userAgents' in a)
          c.stringList('allow.userAgents', a.userAgents, (s, key) => {
            if (!s.startsWith('re:')) return;
            try {
              compileSafeRegex(s.slice(3));
            } catch (err) {
              c.fail(key, 'a safe regular expression', s, `expected a safe regular expression after "re:", got ${JSON.stringify(s)}: ${(err as Error).message}`);
            }
          });
        break;
      }
      case 'classification':
        if (!Array.isArray(value)) c.fail('classification', 'a list of { pattern, kind }', value);
        value.forEach((item, i) => {
          const key = `classification[${i}]`;
          if (!isPlain(item)) c.fail(key, 'a mapping { pattern, kind }', item);
          for (const k of Object.keys(item)) if (k !== 'pattern' && k !== 'kind') c.fail(`${key}.${k}`, 'pattern or kind', k, 'unknown key (known: pattern, kind)');
          if (typeof item.pattern !== 'string') c.fail(`${key}.pattern`, 'a route pattern', item.pattern);
          c.routePattern(item.pattern, `${key}.pattern`);
          if (!DATA_KINDS.includes(item.kind as never)) c.fail(`${key}.kind`, `one of ${DATA_KINDS.join(', ')}`, item.kind);
        });
        break;
      case 'policy': {
        const p = value as Plain;
        if ('adminRoles' in p) c.stringList('policy.adminRoles', p.adminRoles);
        if ('roles' in p) c.mapOfLists('policy.roles', p.roles);
        if ('permissions' in p) c.mapOfLists('policy.permissions', p.permissions, (s, key) => c.routePattern(s, key));
        break;
      }
      case 'detectors':
        if (!isPlain(value)) c.fail('detectors', 'a mapping of detector id -> options', value);
        for (const [id, opts] of Object.entries(value)) {
          if (!isPlain(opts)) c.fail(`detectors.${id}`, 'a mapping of option -> value', opts);
        }
        break;
      case 'latenessMs':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) c.fail('latenessMs', 'a non-negative number of milliseconds', value);
        break;
      case 'maxActors':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) c.fail('maxActors', 'a positive integer', value);
        break;
      case 'takeoverWindowHours':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) c.fail('takeoverWindowHours', 'a non-negative number of hours (0 links only alerts under way at the takeover)', value);
        break;
      case 'trustedProxies':
        c.stringList('trustedProxies', value, (s, key) => {
          if (ipOrCidrProblem(s)) c.fail(key, 'an IP address or CIDR', s);
        });
        break;
    }
  }
}

/**
 * Mappings that describe one API as a whole: a later file replaces them instead of adding to them.
 * The shipped policy is the example API's (rules/policy.yaml); merged key by key, its roles and
 * permissions stayed in force beside a site's own, and `roles: {}` could not clear them.
 */
const WHOLE_MAPPINGS: ReadonlySet<string> = new Set(['policy.roles', 'policy.permissions']);

function dropOrigins(origins: Record<string, string>, key: string): void {
  for (const o of Object.keys(origins)) if (o.startsWith(`${key}.`) || o.startsWith(`${key}[`)) delete origins[o];
}

/** Keys whose value is a leaf for merging and origins (lists and scalars replace, mappings merge). */
function mergeInto(target: Plain, src: Plain, file: string, origins: Record<string, string>, prefix: string): void {
  for (const [k, v] of Object.entries(src)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlain(v)) {
      const whole = WHOLE_MAPPINGS.has(key);
      const cur = target[k];
      const next: Plain = isPlain(cur) && !whole ? cur : {};
      target[k] = next;
      if (whole) {
        dropOrigins(origins, key);
        // An empty mapping is a value too: it says "none", and where that was said.
        if (Object.keys(v).length === 0) origins[key] = file;
        else delete origins[key];
      }
      mergeInto(next, v, file, origins, key);
    } else {
      target[k] = v;
      dropOrigins(origins, key);
      origins[key] = file;
    }
  }
}

function readYamlDocs(abs: string, display: string): Plain[] {
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new ConfigError({ file: display, key: '', message: `cannot read rules file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
  }
  const docs = YAML.parseAllDocuments(text, { prettyErrors: true });
  const out: Plain[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length > 0) {
      const e = d.errors[0]!;
      const line = e.linePos?.[0]?.line;
      throw new ConfigError({ file: display, key: line ? `line ${line}` : '', message: `not valid YAML: ${e.message.split('\n')[0]}` });
    }
    let v: unknown;
    try {
      v = d.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // An alias to no anchor, or an alias bomb: the file's mistake, not apilog's.
      throw new ConfigError({ file: display, key: '', message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` });
    }
    if (v === null || v === undefined) continue;
    if (!isPlain(v)) throw new ConfigError({ file: display, key: '', expected: 'a mapping at the top level', got: v });
    out.push(v);
  }
  return out;
}

/** A Sigma rule (loaded by the signature engine, not here). */
function isSigmaDoc(d: Plain): boolean {
  return 'detection' in d && 'logsource' in d;
}

function yamlFilesIn(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * Load the shipped rules then each extra path (file or folder of *.yaml, non-recursive) in order.
 * Sigma rules met in a --rules folder are left to the signature engine.
 */
export function loadRules(extraPaths: readonly string[] = []): RuleSet {
  const root = packageRoot();
  const merged: Plain = {};
  const origins: Record<string, string> = {};
  const apply = (abs: string, display: string, skipSigma: boolean): void => {
    for (const doc of readYamlDocs(abs, display)) {
      if (skipSigma && isSigmaDoc(doc)) continue;
      validateDoc(doc, display);
      mergeInto(merged, doc, display, origins, '');
    }
  };

  const shipped = path.join(root, 'rules');
  if (!fs.existsSync(shipped)) throw new ConfigError({ file: 'rules/', key: '', message: `the shipped rules folder is missing (looked in ${shipped})` });
  for (const name of yamlFilesIn(shipped)) apply(path.join(shipped, name), `rules/${name}`, false);

  for (const p of extraPaths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new ConfigError({ file: p, key: '', message: 'rules path not found' });
    }
    if (st.isDirectory()) {
      for (const name of yamlFilesIn(p)) apply(path.join(p, name), path.join(p, name), true);
    } else {
      apply(p, p, false);
    }
  }
  return finishRules(merged, origins);
}

/** Build a RuleSet from merged documents, filling anything still unset with built-in defaults. */
export function finishRules(merged: Plain, origins: Record<string, string>): RuleSet {
  const get = <T>(section: string, key: string, dflt: T): T => {
    const s = merged[section];
    if (isPlain(s) && key in s) return s[key] as T;
    origins[`${section}.${key}`] ??= '(default)';
    return dflt;
  };
  const rules: RuleSet = {
    businessHours: {
      timezone: get('businessHours', 'timezone', 'UTC'),
      days: get('businessHours', 'days', [1, 2, 3, 4, 5]),
      start: get('businessHours', 'start', '09:00'),
      end: get('businessHours', 'end', '18:00'),
    },
    routes: {
      admin: get('routes', 'admin', []),
      login: get('routes', 'login', []),
      export: get('routes', 'export', []),
      sensitive: get('routes', 'sensitive', []),
      health: get('routes', 'health', []),
    },
    allow: {
      ips: get('allow', 'ips', []),
      users: get('allow', 'users', []),
      apiKeys: get('allow', 'apiKeys', []),
      userAgents: get('allow', 'userAgents', []),
    },
    classification: (merged.classification as RuleSet['classification'] | undefined) ?? [],
    policy: {
      adminRoles: get('policy', 'adminRoles', []),
      roles: get('policy', 'roles', {}),
      permissions: get('policy', 'permissions', {}),
    },
    detectors: (merged.detectors as RuleSet['detectors'] | undefined) ?? {},
    latenessMs: (merged.latenessMs as number | undefined) ?? DEFAULT_LATENESS_MS,
    maxActors: (merged.maxActors as number | undefined) ?? DEFAULT_MAX_ACTORS,
    takeoverWindowHours: (merged.takeoverWindowHours as number | undefined) ?? DEFAULT_TAKEOVER_WINDOW_HOURS,
    trustedProxies: (merged.trustedProxies as string[] | undefined) ?? [],
    origins,
  };
  origins.classification ??= '(default)';
  origins.latenessMs ??= '(default)';
  origins.maxActors ??= '(default)';
  origins.takeoverWindowHours ??= '(default)';
  origins.trustedProxies ??= '(default)';
  const bh = rules.businessHours;
  if (bh.start === bh.end)
    throw new ConfigError({ file: origins['businessHours.end'] ?? '(default)', key: 'businessHours.end', message: `start and end are both ${bh.start}: the working window would be empty` });
  return rules;
}

/** Built-in rules without reading any file (tests, embedding). Same defaults as an empty rules/ folder. */
export function emptyRules(): RuleSet {
  return finishRules({}, {});
}
