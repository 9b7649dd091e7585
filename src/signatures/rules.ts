/**
 * The shipped signature rules (rules/sigma/*.yml): Sigma webserver rules with an `apilog-category`
 * attribute naming the attack class they detect.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSigmaRules } from '../sigma/load.js';
import type { CompiledSigmaRule, SigmaRejection } from '../sigma/types.js';

/** Attack classes and how they are named in reports. */
export const CATEGORY_TITLES: Record<string, string> = {
  sqli: 'SQL injection',
  xss: 'cross-site scripting',
  'path-traversal': 'path traversal',
  'command-injection': 'command injection',
  ssrf: 'SSRF to cloud metadata',
  jndi: 'JNDI/Log4Shell',
  'template-injection': 'template injection',
  'oob-interaction': 'out-of-band callback',
  scanner: 'scanner user agent',
};

/** The rules/sigma folder of this installation (src/ and dist/ both sit one level below the root). */
export function shippedSigmaDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'rules', 'sigma');
    if (fs.existsSync(candidate) && fs.existsSync(path.join(dir, 'package.json'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'rules', 'sigma');
}

/** A rule's attack class: its `apilog-category`, else its id. */
export function ruleCategory(r: CompiledSigmaRule): string {
  const c = r.custom['apilog-category'];
  return typeof c === 'string' && c.trim() !== '' ? c.trim() : r.id;
}

export interface SignatureRuleSet {
  /** Rules reading only the user agent: evaluated once per distinct user agent (cached). */
  userAgent: CompiledSigmaRule[];
  /** Rules reading request content: evaluated when a pre-filter fires. */
  payload: CompiledSigmaRule[];
  /**
   * The shipped payload rules (rules/sigma): each is an OR of one-field selections and the
   * pre-filter is kept sound for them, so fields the pre-filter found clean can be skipped.
   */
  shipped: Set<CompiledSigmaRule>;
  rejected: SigmaRejection[];
}

let cached: { key: string; set: SignatureRuleSet } | null = null;

/** Load the shipped rules plus `extra` paths, split by what they read. Cached per argument list. */
export function loadSignatureRules(extra: string[] = [], dir = shippedSigmaDir()): SignatureRuleSet {
  const key = JSON.stringify([dir, ...extra]);
  if (cached && cached.key === key) return cached.set;
  const { rules, rejected } = loadSigmaRules([dir, ...extra]);
  const set: SignatureRuleSet = { userAgent: [], payload: [], shipped: new Set(), rejected };
  const shippedDir = path.resolve(dir) + path.sep;
  for (const r of rules) {
    if (extra.length === 0 || path.resolve(r.file).startsWith(shippedDir)) set.shipped.add(r);
    if (r.canonicalFields.length > 0 && r.canonicalFields.every((f) => f === 'userAgent')) set.userAgent.push(r);
    else set.payload.push(r);
  }
  cached = { key, set };
  return set;
}
