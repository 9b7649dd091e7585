/**
 * Compiling one Sigma rule document into a matcher. Anything apilog cannot run exactly as written
 * throws SigmaRuleError with the reason (the loader lists the rule as rejected).
 */
import ipaddr from 'ipaddr.js';
import { compileCondition, parseCondition } from './condition.js';
import { compileGlob, globMatch, parseSigmaString, type Token } from './glob.js';
import { checkRegex } from './regex-safety.js';
import { LEVEL_SEVERITY, SIGMA_LEVELS, SigmaRuleError, type CompiledSigmaRule, type SigmaLevel } from './types.js';
import { F, fieldFor, type FieldDef, type EventView } from './view.js';
import { asMatched } from '../rules/match.js';

type Pred = (v: EventView) => boolean;

const SUPPORTED_CATEGORIES = new Set(['webserver', 'proxy']);

/** Modifiers apilog cannot run, with the reason given. */
const UNSUPPORTED_MODIFIERS: Record<string, string> = {
  windash: 'modifier "windash" (Windows command-line dash variants) is not supported for web logs',
  expand: 'modifier "expand" (placeholders) is not supported: placeholders need a pipeline apilog does not have',
  utf16le: 'modifier "utf16le" is not supported for web logs',
  utf16be: 'modifier "utf16be" is not supported for web logs',
  utf16: 'modifier "utf16" is not supported for web logs',
  wide: 'modifier "wide" is not supported for web logs',
};

const KNOWN_MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cidr', 'base64', 'base64offset', 'exists',
  'gt', 'gte', 'lt', 'lte', 'neq', 'cased', 'fieldref', 'minute', 'hour', 'day', 'week', 'month', 'year',
]);

const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function scalarText(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new SigmaRuleError(`${where}: value ${JSON.stringify(v)} is not a string or number`);
}

/** Base64 of the UTF-8 bytes. */
function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** The three shifted encodings of `s` that appear inside any base64 text containing it. */
function base64Offsets(s: string): string[] {
  const starts = [0, 2, 3];
  const ends: Array<number | undefined> = [undefined, -3, -2];
  const len = Buffer.byteLength(s, 'utf8');
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = b64(' '.repeat(i) + s);
    out.push(enc.slice(starts[i], ends[(len + i) % 3]));
  }
  return out;
}

function escapeWildcards(s: string): string {
  return s.replace(/[\\*?]/g, '\\$&');
}

/** The set of ASCII characters in `s` (lower-cased when `lower`), as 4 x 32 bits; `\u0000` (a `?`) ignored. */
function asciiMask(s: string, lower: boolean): number[] {
  const m = [0, 0, 0, 0];
  const t = lower ? s.toLowerCase() : s;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0 || c >= 128) continue;
    m[c >> 5]! |= 1 << (c & 31);
  }
  return m;
}

/** Whether every character of mask `need` is in the view's mask at `base` (a necessary condition for a match). */
function maskHas(M: Int32Array, base: number, need: number[]): boolean {
  return (
    (M[base]! & need[0]!) === need[0] &&
    (M[base + 1]! & need[1]!) === need[1] &&
    (M[base + 2]! & need[2]!) === need[2] &&
    (M[base + 3]! & need[3]!) === need[3]
  );
}

/**
 * Characters every match of a regular expression must contain (lower-cased): literal characters at
 * the top level, outside groups and classes, not made optional. Conservative: an alternation at
 * the top level gives none.
 */
function regexRequiredMask(src: string): number[] {
  let req = '';
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      i++;
      if (depth === 0 && !inClass && /[^A-Za-z0-9]/.test(n)) {
        const q = src[i + 1];
        if (q !== '?' && q !== '*' && !(q === '{' && src[i + 2] === '0')) req += n;
      }
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(') {
      depth++;
      continue;
    }
    if (c === ')') {
      depth--;
      continue;
    }
    if (c === '{') {
      // A quantifier's braces are not text.
      const m = /^\{\d+(?:,\d*)?\}/.exec(src.slice(i, i + 24));
      if (m) {
        i += m[0].length - 1;
        continue;
      }
    }
    if (depth === 0 && c === '|') return [0, 0, 0, 0];
    if (depth > 0 || !/[A-Za-z0-9 _@#%&'"=<>;:,~!-]/.test(c)) continue;
    const q = src[i + 1];
    if (q === '?' || q === '*' || (q === '{' && src[i + 2] === '0')) continue;
    req += c;
  }
  return asciiMask(req, true);
}

// Last parsed IP (the same event is usually checked by several cidr rules).
let lastIpText: string | undefined;
let lastIp: ipaddr.IPv4 | ipaddr.IPv6 | null = null;
function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (text === lastIpText) return lastIp;
  lastIpText = text;
  try {
    let a = ipaddr.parse(text);
    if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
    lastIp = a;
  } catch {
    lastIp = null;
  }
  return lastIp;
}

function timePart(ts: number, part: string): number {
  const d = new Date(ts);
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    default: {
      // ISO week number.
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - day);
      const y0 = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
      return Math.ceil(((t.getTime() - y0.getTime()) / 86_400_000 + 1) / 7);
    }
  }
}

/** Apply `test` to a field value (any element of a list value). */
function anyOf(v: string | readonly string[] | undefined, test: (s: string) => boolean): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string') return test(v);
  for (const x of v) if (test(x)) return true;
  return false;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

interface Ctx {
  fields: Set<string>;
  canonical: Set<string>;
  where: string;
}

function resolveField(name: string, ctx: Ctx): FieldDef {
  const f = fieldFor(name);
  if (!f) {
    throw new SigmaRuleError(
      `unknown field "${name}": apilog has no such field for web logs (use a Sigma webserver name such as cs-uri-query, a canonical name such as path, or raw.<json.path>)`,
    );
  }
  ctx.fields.add(name);
  ctx.canonical.add(f.key);
  return f;
}

/** One `field|modifiers: value(s)` entry (field "" = keyword search). */
function compileFieldEntry(key: string, value: unknown, ctx: Ctx): Pred {
  const parts = key.split('|');
  const fieldName = parts[0]!;
  const mods = parts.slice(1).map((m) => m.trim().toLowerCase());
  for (const m of mods) {
    if (UNSUPPORTED_MODIFIERS[m]) throw new SigmaRuleError(UNSUPPORTED_MODIFIERS[m]);
    if (!KNOWN_MODIFIERS.has(m)) throw new SigmaRuleError(`unknown modifier "${m}" on "${key}"`);
  }
  const has = (m: string): boolean => mods.includes(m);
  const where = `${ctx.where} "${key}"`;
  const keyword = fieldName === '';
  const field = keyword ? null : resolveField(fieldName, ctx);
  if (keyword) ctx.canonical.add('(keywords)');

  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw new SigmaRuleError(`${where}: empty value list`);
  const all = has('all');

  // exists
  if (has('exists')) {
    if (keyword) throw new SigmaRuleError(`${where}: "exists" needs a field`);
    if (mods.length > 1) throw new SigmaRuleError(`${where}: "exists" cannot be combined with other modifiers`);
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new SigmaRuleError(`${where}: "exists" takes true or false`);
    const want = values[0];
    return (v) => {
      const x = v.value(field!);
      return (x !== undefined && x !== '') === want;
    };
  }

  const cmp = mods.filter((m) => m === 'gt' || m === 'gte' || m === 'lt' || m === 'lte');
  const timeMod = mods.find((m) => TIME_PARTS.has(m));
  if (cmp.length > 1) throw new SigmaRuleError(`${where}: more than one comparison modifier`);

  // Numeric comparisons, optionally on a part of the timestamp.
  if (cmp.length === 1 || timeMod) {
    if (keyword) throw new SigmaRuleError(`${where}: comparisons need a field`);
    if (timeMod && field !== F.ts) throw new SigmaRuleError(`${where}: "${timeMod}" applies to the timestamp field (ts) only`);
    const nums = values.map((x) => {
      const n = toNumber(x);
      if (n === undefined) throw new SigmaRuleError(`${where}: ${JSON.stringify(x)} is not a number`);
      return n;
    });
    const op = cmp[0] ?? (has('neq') ? 'neq' : 'eq');
    const test = (n: number, ref: number): boolean =>
      op === 'gt' ? n > ref : op === 'gte' ? n >= ref : op === 'lt' ? n < ref : op === 'lte' ? n <= ref : op === 'neq' ? n !== ref : n === ref;
    return (v) => {
      const raw = v.value(field!);
      let n = toNumber(typeof raw === 'object' ? undefined : raw);
      if (n === undefined) return op === 'neq';
      if (timeMod) n = timePart(n, timeMod);
      if (all || op === 'neq') {
        for (const r of nums) if (!test(n, r)) return false;
        return true;
      }
      for (const r of nums) if (test(n, r)) return true;
      return false;
    };
  }

  // cidr
  if (has('cidr')) {
    if (keyword) throw new SigmaRuleError(`${where}: "cidr" needs a field`);
    const nets = values.map((x) => {
      const t = scalarText(x, where);
      try {
        const [addr, bits] = asMatched(ipaddr.parseCIDR(t));
        return { addr, bits };
      } catch {
        throw new SigmaRuleError(`${where}: "${t}" is not a CIDR range`);
      }
    });
    const neq = has('neq');
    return (v) => {
      const t = v.text(field!);
      if (typeof t !== 'string') return neq;
      const ip = parseIp(t);
      if (!ip) return neq;
      let hit = false;
      for (const n of nets) {
        if (n.addr.kind() === ip.kind() && ip.match(n.addr, n.bits)) {
          hit = true;
          break;
        }
      }
      return neq ? !hit : hit;
    };
  }

  // fieldref: compare with another field of the same event.
  if (has('fieldref')) {
    if (keyword) throw new SigmaRuleError(`${where}: "fieldref" needs a field`);
    const others = new Set(mods);
    others.delete('fieldref');
    others.delete('neq');
    others.delete('cased');
    if (others.size > 0) throw new SigmaRuleError(`${where}: "fieldref" is supported for equality (and neq) only`);
    const refs = values.map((x) => resolveField(scalarText(x, where), ctx));
    const neq = has('neq');
    const cased = has('cased');
    return (v) => {
      const a = cased ? v.text(field!) : v.lower(field!);
      if (typeof a !== 'string') return neq;
      const eqs = refs.map((r) => {
        const b = cased ? v.text(r) : v.lower(r);
        return typeof b === 'string' && a === b;
      });
      if (neq) return eqs.every((e) => !e);
      return all ? eqs.every(Boolean) : eqs.some(Boolean);
    };
  }

  // Regular expressions.
  if (has('re')) {
    for (const m of ['contains', 'startswith', 'endswith', 'base64', 'base64offset']) {
      if (has(m)) throw new SigmaRuleError(`${where}: "re" cannot be combined with "${m}"`);
    }
    let flags = '';
    if (has('i')) flags += 'i';
    if (has('m')) flags += 'm';
    if (has('s')) flags += 's';
    const res = values.map((x) => {
      const src = scalarText(x, where);
      const chk = checkRegex(src);
      if (!chk.ok) throw new SigmaRuleError(`${where}: ${chk.reason}`);
      try {
        return new RegExp(chk.source, flags);
      } catch (err) {
        throw new SigmaRuleError(`${where}: invalid regular expression: ${(err as Error).message}`);
      }
    });
    const neq = has('neq');
    const test = (s: string): boolean => {
      if (all) {
        for (const r of res) if (!r.test(s)) return false;
        return true;
      }
      for (const r of res) if (r.test(s)) return true;
      return false;
    };
    if (keyword) {
      return (v) => {
        const kws = v.keywords();
        for (const s of kws) if (test(s)) return true;
        return false;
      };
    }
    const needs = res.map((r) => regexRequiredMask(r.source));
    return (v) => {
      const t = v.text(field!);
      let hit: boolean;
      if (typeof t === 'string') {
        // Quick reject: a regex whose required characters are not all in the text cannot match.
        const b = v.charMask(field!);
        const M = v.masks;
        hit = all;
        for (let k = 0; k < res.length; k++) {
          const ok = maskHas(M, b, needs[k]!) && res[k]!.test(t);
          if (all && !ok) {
            hit = false;
            break;
          }
          if (!all && ok) {
            hit = true;
            break;
          }
        }
      } else {
        hit = anyOf(t, test);
      }
      return neq ? !hit : hit;
    };
  }
  if (has('i') || has('m') || has('s')) throw new SigmaRuleError(`${where}: "i", "m" and "s" are sub-modifiers of "re"`);

  // Strings with wildcards, optionally base64-encoded first.
  const contains = has('contains');
  const startswith = has('startswith');
  const endswith = has('endswith');
  if (Number(contains) + Number(startswith) + Number(endswith) > 1) {
    throw new SigmaRuleError(`${where}: use only one of contains, startswith, endswith`);
  }
  const b64mode = has('base64offset') ? 'offset' : has('base64') ? 'plain' : null;
  if (b64mode === 'offset' && !contains) throw new SigmaRuleError(`${where}: "base64offset" is used with "contains"`);
  // Base64 text is case-sensitive.
  const cased = has('cased') || b64mode !== null;
  const neq = has('neq');

  // null: the field is absent or empty.
  if (values.length === 1 && values[0] === null) {
    if (keyword) throw new SigmaRuleError(`${where}: null needs a field`);
    return (v) => {
      const x = v.value(field!);
      const empty = x === undefined || x === '';
      return neq ? !empty : empty;
    };
  }
  if (values.some((x) => x === null)) {
    // A list mixing null and values: OR of "absent" and the values.
    const rest = values.filter((x) => x !== null);
    const a = compileFieldEntry(key, null, ctx);
    const b = compileFieldEntry(key, rest, ctx);
    return (v) => a(v) || b(v);
  }

  // One list entry may expand to several patterns (base64offset): the entry matches if any does.
  const groups: Token[][][] = values.map((x) => {
    if (isPlainObject(x) || Array.isArray(x)) throw new SigmaRuleError(`${where}: nested lists or maps are not values`);
    let text = scalarText(x, where);
    let variants: string[];
    if (b64mode) {
      const plain = parseSigmaString(text);
      if (plain.some((t) => !('lit' in t))) throw new SigmaRuleError(`${where}: wildcards cannot be base64-encoded`);
      text = plain.map((t) => ('lit' in t ? t.lit : '')).join('');
      variants = (b64mode === 'plain' ? [b64(text)] : base64Offsets(text)).map(escapeWildcards);
    } else {
      variants = [text];
    }
    return variants.map((t) => {
      // A lone trailing backslash is literal; keep it so once a `*` is appended after it.
      let s = /(^|[^\\])(\\\\)*\\$/.test(t) ? `${t}\\` : t;
      // Keywords are found anywhere in the record's text.
      if (contains || keyword) s = `*${s}*`;
      else if (startswith) s = `${s}*`;
      else if (endswith) s = `*${s}`;
      return parseSigmaString(s);
    });
  });
  const globs = groups.map((g) => g.map((tokens) => compileGlob(tokens, !cased)));
  const entryMatches = (text: string, i: number): boolean => {
    for (const g of globs[i]!) if (globMatch(g, text)) return true;
    return false;
  };
  const testText = (s: string): boolean => {
    if (all) {
      for (let i = 0; i < globs.length; i++) if (!entryMatches(s, i)) return false;
      return true;
    }
    for (let i = 0; i < globs.length; i++) if (entryMatches(s, i)) return true;
    return false;
  };

  if (keyword) {
    if (neq) throw new SigmaRuleError(`${where}: "neq" needs a field`);
    return (v) => {
      const kws = v.keywords();
      if (all) {
        // Each keyword somewhere in the record (not necessarily the same string).
        for (let i = 0; i < globs.length; i++) {
          let found = false;
          for (const s of kws) {
            if (entryMatches(s, i)) {
              found = true;
              break;
            }
          }
          if (!found) return false;
        }
        return true;
      }
      for (const s of kws) if (testText(s)) return true;
      return false;
    };
  }
  if (neq) {
    // Not equal to any of the values.
    return (v) => {
      const t = cased ? v.text(field!) : v.lower(field!);
      if (t === undefined) return true;
      return !anyOf(t, (s) => {
        for (let i = 0; i < globs.length; i++) if (entryMatches(s, i)) return true;
        return false;
      });
    };
  }
  if (cased) return (v) => anyOf(v.text(field!), testText);
  // Quick reject per pattern: the text must hold every ASCII character of the pattern's literal parts.
  const gmasks = groups.map((g) => g.map((tokens) => asciiMask(tokens.map((t) => ('lit' in t ? t.lit : '')).join(''), true)));
  return (v) => {
    const t = v.lower(field!);
    if (typeof t !== 'string') return anyOf(t, testText);
    const b = v.charMask(field!);
    const M = v.masks;
    for (let i = 0; i < globs.length; i++) {
      const gs = globs[i]!;
      const ms = gmasks[i]!;
      let ok = false;
      for (let j = 0; j < gs.length; j++) {
        if (maskHas(M, b, ms[j]!) && globMatch(gs[j]!, t)) {
          ok = true;
          break;
        }
      }
      if (all && !ok) return false;
      if (!all && ok) return true;
    }
    return all;
  };
}

/** A map selection: every entry must match. */
function compileMap(map: Record<string, unknown>, ctx: Ctx): Pred {
  const preds = Object.entries(map).map(([k, v]) => compileFieldEntry(k, v, ctx));
  if (preds.length === 0) throw new SigmaRuleError(`${ctx.where}: empty selection`);
  if (preds.length === 1) return preds[0]!;
  return (v) => {
    for (const p of preds) if (!p(v)) return false;
    return true;
  };
}

/** A search identifier: a map, a list of maps (OR), or a list of keywords (OR). */
function compileSelection(name: string, def: unknown, ctx: Ctx): Pred {
  const c = { ...ctx, where: `selection "${name}"` };
  if (isPlainObject(def)) return compileMap(def, c);
  if (Array.isArray(def)) {
    if (def.length === 0) throw new SigmaRuleError(`${c.where}: empty list`);
    const keywords = def.filter((x) => !isPlainObject(x));
    const maps = def.filter(isPlainObject);
    const preds: Pred[] = maps.map((m) => compileMap(m, c));
    if (keywords.length > 0) preds.push(compileFieldEntry('', keywords, c));
    if (preds.length === 1) return preds[0]!;
    return (v) => {
      for (const p of preds) if (p(v)) return true;
      return false;
    };
  }
  if (typeof def === 'string' || typeof def === 'number') return compileFieldEntry('', [def], c);
  throw new SigmaRuleError(`${c.where}: a search identifier is a map, a list of maps or a list of keywords`);
}

function stringList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.map(String);
  throw new SigmaRuleError(`"${what}" must be a list of strings`);
}

const KNOWN_ATTRIBUTES = new Set([
  'title', 'id', 'name', 'related', 'taxonomy', 'status', 'description', 'license', 'author', 'references', 'date', 'modified',
  'logsource', 'detection', 'fields', 'falsepositives', 'level', 'tags', 'scope',
]);

/** Compile one rule document. `fallbackId` is used when the rule has no `id`. */
export function compileRule(doc: Record<string, unknown>, file: string, fallbackId: string): CompiledSigmaRule {
  if ('correlation' in doc) {
    const type = isPlainObject(doc.correlation) ? String(doc.correlation.type ?? '') : '';
    throw new SigmaRuleError(`correlation rule${type ? ` (${type})` : ''} is not supported: apilog runs single-event Sigma rules (its own detectors cover counting over time)`);
  }
  if ('filter' in doc && !('detection' in doc)) throw new SigmaRuleError('Sigma filter (meta rule) is not supported');
  if ('action' in doc) throw new SigmaRuleError(`rule collection action "${String(doc.action)}" is not supported: write each rule as its own document`);
  const title = doc.title;
  if (typeof title !== 'string' || title.trim() === '') throw new SigmaRuleError('missing "title"');
  if (doc.id !== undefined && typeof doc.id !== 'string') throw new SigmaRuleError('"id" must be a string');
  const ls = doc.logsource;
  if (!isPlainObject(ls)) throw new SigmaRuleError('missing "logsource"');
  const category = typeof ls.category === 'string' ? ls.category.toLowerCase() : undefined;
  if (!category || !SUPPORTED_CATEGORIES.has(category)) {
    const desc = [category && `category ${category}`, typeof ls.product === 'string' && `product ${ls.product}`, typeof ls.service === 'string' && `service ${ls.service}`]
      .filter(Boolean)
      .join(', ');
    throw new SigmaRuleError(`logsource ${desc || '(none)'} is not one apilog reads: only category webserver and proxy rules run on API access logs`);
  }
  let level: SigmaLevel = 'medium';
  if (doc.level !== undefined) {
    if (typeof doc.level !== 'string' || !(SIGMA_LEVELS as readonly string[]).includes(doc.level.toLowerCase())) {
      throw new SigmaRuleError(`level "${String(doc.level)}" is not one of ${SIGMA_LEVELS.join(', ')}`);
    }
    level = doc.level.toLowerCase() as SigmaLevel;
  }
  const det = doc.detection;
  if (!isPlainObject(det)) throw new SigmaRuleError('missing "detection"');
  if ('timeframe' in det) throw new SigmaRuleError('"timeframe" (aggregation over time) is not supported: apilog runs single-event Sigma rules');
  const cond = det.condition;
  const conditions = typeof cond === 'string' ? [cond] : Array.isArray(cond) && cond.every((c) => typeof c === 'string') ? (cond as string[]) : null;
  if (!conditions || conditions.length === 0) throw new SigmaRuleError('missing or invalid "condition"');

  const ctx: Ctx = { fields: new Set(), canonical: new Set(), where: '' };
  const names = Object.keys(det).filter((k) => k !== 'condition');
  const sels = new Map<string, Pred>();
  for (const n of names) sels.set(n, compileSelection(n, det[n], ctx));

  let cur: EventView = undefined as unknown as EventView;
  const selection = (name: string): (() => boolean) => {
    const p = sels.get(name)!;
    return () => p(cur);
  };
  const preds = conditions.map((c) => compileCondition(parseCondition(c, names), selection));
  const top = preds.length === 1 ? preds[0]! : () => preds.some((p) => p());

  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!KNOWN_ATTRIBUTES.has(k)) custom[k] = v;

  const rule: CompiledSigmaRule = {
    id: typeof doc.id === 'string' && doc.id.trim() !== '' ? doc.id.trim() : fallbackId,
    title: title.trim(),
    file,
    level,
    severity: LEVEL_SEVERITY[level],
    tags: stringList(doc.tags, 'tags'),
    falsepositives: stringList(doc.falsepositives, 'falsepositives'),
    references: stringList(doc.references, 'references'),
    logsource: {
      category,
      ...(typeof ls.product === 'string' ? { product: ls.product } : {}),
      ...(typeof ls.service === 'string' ? { service: ls.service } : {}),
    },
    fields: [...ctx.fields],
    canonicalFields: [...ctx.canonical],
    custom,
    match(view: EventView): boolean {
      cur = view;
      return top();
    },
  };
  if (typeof doc.status === 'string') rule.status = doc.status;
  if (typeof doc.description === 'string') rule.description = doc.description;
  if (typeof doc.author === 'string') rule.author = doc.author;
  return rule;
}
