/**
 * Detector option resolution: meta.options defaults <- rules.detectors[id] overrides, validated
 * against the defaults' types. Also the rows behind `apilog rules`.
 */
import { ConfigError } from './errors.js';
import { compileSafeRegex } from './match.js';
import type { RuleSet } from './types.js';

/** The part of a detector this module needs (structurally a DetectorMeta). */
export interface OptionOwner {
  id: string;
  options: object;
  checkOption?(key: string, value: unknown): { index?: number; problem: string } | null;
}

function expectedFor(dflt: unknown): string {
  if (typeof dflt === 'number') return dflt > 0 ? 'a positive number' : 'a non-negative number';
  if (typeof dflt === 'boolean') return 'true or false';
  if (typeof dflt === 'string') return 'a string';
  if (Array.isArray(dflt)) return typeof dflt[0] === 'number' ? 'a list of numbers' : 'a list of strings';
  return 'a value of the default type';
}

function fits(dflt: unknown, v: unknown): boolean {
  if (typeof dflt === 'number') return typeof v === 'number' && Number.isFinite(v) && (dflt > 0 ? v > 0 : v >= 0);
  if (typeof dflt === 'boolean' || typeof dflt === 'string') return typeof v === typeof dflt;
  if (Array.isArray(dflt)) {
    if (!Array.isArray(v)) return false;
    const t = dflt.length > 0 ? typeof dflt[0] : 'string';
    return v.every((x) => typeof x === t);
  }
  return typeof v === typeof dflt;
}

/** Merge a detector's defaults with the rules' overrides; throws ConfigError on unknown keys or wrong types. */
export function resolveOptions<O extends object>(meta: OptionOwner & { options: O }, rules: RuleSet): O {
  const over = rules.detectors[meta.id];
  const out = { ...meta.options } as Record<string, unknown>;
  if (!over) return out as O;
  const defaults = meta.options as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    const key = `detectors.${meta.id}.${k}`;
    const file = rules.origins[key] ?? rules.origins[`detectors.${meta.id}`] ?? 'rules';
    if (!(k in defaults)) {
      throw new ConfigError({ file, key, message: `unknown option (known: ${Object.keys(defaults).join(', ')})` });
    }
    if (!fits(defaults[k], v)) throw new ConfigError({ file, key, expected: expectedFor(defaults[k]), got: v });
    // "re:<regex>" entries of pattern lists (routes, user agents) run on log content: refuse them
    // here, naming the file and key, rather than letting the detector fail or backtrack later.
    if (Array.isArray(v)) {
      v.forEach((s, i) => {
        if (typeof s !== 'string' || !s.startsWith('re:')) return;
        try {
          compileSafeRegex(s.slice(3));
        } catch (err) {
          throw new ConfigError({
            file,
            key: `${key}[${i}]`,
            message: `expected a safe regular expression after "re:", got ${JSON.stringify(s)}: ${(err as Error).message}`,
          });
        }
      });
    }
    const bad = meta.checkOption?.(k, v);
    if (bad) throw new ConfigError({ file, key: bad.index === undefined ? key : `${key}[${bad.index}]`, message: bad.problem });
    out[k] = v;
  }
  return out as O;
}

/** Throw a ConfigError for a detectors.<id> section that names no known detector. */
export function checkDetectorIds(rules: RuleSet, knownIds: Iterable<string>): void {
  const known = new Set(knownIds);
  for (const id of Object.keys(rules.detectors)) {
    if (known.has(id)) continue;
    const key = `detectors.${id}`;
    const file = Object.entries(rules.origins).find(([k]) => k.startsWith(`${key}.`))?.[1] ?? 'rules';
    throw new ConfigError({ file, key, message: `unknown detector (known: ${[...known].sort().join(', ')})` });
  }
}

export interface RuleRow {
  /** Detector id, or "(global)" for settings every detector shares. */
  detector: string;
  option: string;
  value: unknown;
  /** File that set the value, or "(default)". */
  origin: string;
}

/** Every effective setting and where it came from, for `apilog rules`. Validates detector options too. */
export function describeRules(rules: RuleSet, detectors: ReadonlyArray<{ meta: OptionOwner }>): RuleRow[] {
  const rows: RuleRow[] = [];
  const origin = (k: string): string => rules.origins[k] ?? '(default)';
  const global = (option: string, value: unknown): void => {
    rows.push({ detector: '(global)', option, value, origin: origin(option) });
  };
  for (const [k, v] of Object.entries(rules.businessHours)) global(`businessHours.${k}`, v);
  for (const [k, v] of Object.entries(rules.routes)) global(`routes.${k}`, v);
  for (const [k, v] of Object.entries(rules.allow)) global(`allow.${k}`, v);
  global('policy.adminRoles', rules.policy.adminRoles);
  // An emptied policy is shown as such (and where it was emptied), not left out.
  if (Object.keys(rules.policy.roles).length === 0) global('policy.roles', {});
  for (const [k, v] of Object.entries(rules.policy.roles)) global(`policy.roles.${k}`, v);
  if (Object.keys(rules.policy.permissions).length === 0) global('policy.permissions', {});
  for (const [k, v] of Object.entries(rules.policy.permissions)) global(`policy.permissions.${k}`, v);
  global('classification', rules.classification.map((c) => `${c.pattern} => ${c.kind}`));
  global('latenessMs', rules.latenessMs);
  global('maxActors', rules.maxActors);
  global('takeoverWindowHours', rules.takeoverWindowHours);
  global('trustedProxies', rules.trustedProxies ?? []);
  checkDetectorIds(rules, detectors.map((d) => d.meta.id));
  for (const { meta } of detectors) {
    const opts = resolveOptions(meta, rules) as Record<string, unknown>;
    for (const [k, v] of Object.entries(opts)) {
      rows.push({ detector: meta.id, option: k, value: v, origin: origin(`detectors.${meta.id}.${k}`) });
    }
  }
  return rows;
}
