/**
 * Matchers compiled from rules: route patterns, IP/CIDR lists, user-agent lists, and the regex
 * safety check used when loading them. Detectors and the checklist share these.
 */
import ipaddr from 'ipaddr.js';
import { quantifierAt } from '../util/regex.js';

/**
 * Why a regex is unsafe to run on untrusted input, or null. Rejects a repeated group that itself
 * repeats something, such as `(a+)+`, `(\w*)*`, `(x+){2,}`, `(.*a){12}` or `(a{1,30})+`, and a
 * repeated group with alternatives, such as `(a|aa)+` or `(?:x|xy){2,9}`: both can backtrack
 * exponentially (or with a huge power) on a crafted value. The Sigma engine applies the same two
 * rules (src/sigma/regex-safety.ts). Write a bounded repetition out instead: `\d{1,3}\.\d{1,3}`.
 */
export function unsafeRegexReason(src: string): string | null {
  // One frame per open group: does its body repeat something, or hold a top-level `|`?
  const stack: Array<{ q: boolean; alt: boolean }> = [{ q: false, alt: false }];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    let atomEnd: number;
    if (c === '\\') {
      atomEnd = i + 2;
    } else if (c === '[') {
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      stack.push({ q: false, alt: false });
      i++;
      continue;
    } else if (c === '|') {
      stack[stack.length - 1]!.alt = true;
      i++;
      continue;
    } else if (c === ')') {
      const inner = stack.length > 1 ? stack.pop()! : { q: false, alt: false };
      const q = quantifierAt(src, i + 1);
      if (q.repeats && inner.q) return 'nested quantifiers (catastrophic backtracking risk)';
      if (q.repeats && inner.alt) return 'a repeated group with alternatives (catastrophic backtracking risk)';
      if (inner.q || q.repeats) stack[stack.length - 1]!.q = true;
      i += 1 + q.len;
      continue;
    } else {
      atomEnd = i + 1;
    }
    const q = quantifierAt(src, atomEnd);
    if (q.repeats) stack[stack.length - 1]!.q = true;
    i = atomEnd + q.len;
  }
  return null;
}

/** Compile a user regex (case-insensitive) or throw an Error saying why not. */
export function compileSafeRegex(src: string): RegExp {
  const unsafe = unsafeRegexReason(src);
  if (unsafe) throw new Error(unsafe);
  return new RegExp(src, 'i'); // throws SyntaxError on a bad regex
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Route pattern -> regex source (anchored, no flags). Syntax: "**" any number of segments, "*" any
 * characters within a segment, "{name}" exactly one segment (so "/users/{id}" matches both the
 * template "/users/{id}" and "/users/42"), "re:<regex>" a raw regex (searched, not anchored).
 */
export function routePatternSource(pattern: string): string {
  if (pattern.startsWith('re:')) {
    const src = pattern.slice(3);
    compileSafeRegex(src);
    return `(?:${src})`;
  }
  if (!pattern.startsWith('/')) throw new Error('a route pattern starts with "/" (or is "re:<regex>")');
  const segs = pattern.split('/').slice(1);
  let out = '';
  for (const seg of segs) {
    if (seg === '**') {
      out += '(?:/.*)?';
      continue;
    }
    out += '/';
    let j = 0;
    while (j < seg.length) {
      const ch = seg[j]!;
      if (ch === '*') {
        out += '[^/]*';
        j++;
      } else if (ch === '{') {
        const close = seg.indexOf('}', j);
        if (close < 0) throw new Error('unclosed "{" in route pattern');
        out += '[^/]+';
        j = close + 1;
      } else {
        out += escapeRe(ch);
        j++;
      }
    }
  }
  return `^${out || '/'}/?$`;
}

export type RouteTest = (template: string) => boolean;

/**
 * `test` with its verdicts remembered per template (at most 20,000, then forgotten at once): a
 * route's few templates are asked about on every event.
 */
export function cachedTest(test: RouteTest): RouteTest {
  const cache = new Map<string, boolean>();
  return (template: string) => {
    let hit = cache.get(template);
    if (hit === undefined) {
      hit = test(template);
      if (cache.size >= 20_000) cache.clear();
      cache.set(template, hit);
    }
    return hit;
  };
}

/** One matcher for a list of route patterns; results cached per template (bounded). */
export function compileRouteList(patterns: readonly string[]): RouteTest {
  if (patterns.length === 0) return () => false;
  const re = new RegExp(patterns.map(routePatternSource).join('|'), 'i');
  return cachedTest((template) => re.test(template));
}

const METHOD_RE = /^([A-Za-z]+)\s+(\S.*)$/;

/** "POST /api/v1/orders" -> { method: 'POST', pattern: '/api/v1/orders' }; "/x" -> { pattern: '/x' }. */
export function parseMethodPattern(s: string): { method?: string; pattern: string } {
  const m = METHOD_RE.exec(s.trim());
  if (m && !s.trim().startsWith('re:')) return { method: m[1]!.toUpperCase(), pattern: m[2]!.trim() };
  return { pattern: s.trim() };
}

/** Validate an IP or CIDR; returns an Error message or null. */
export function ipOrCidrProblem(s: string): string | null {
  try {
    if (s.includes('/')) ipaddr.parseCIDR(s);
    else ipaddr.parse(s);
    return null;
  } catch {
    return 'not an IP address or CIDR';
  }
}

export type IpTest = (ip: string | undefined) => boolean;

/** Matcher for a list of IPs/CIDRs; results cached per IP (bounded). */
/**
 * A range as callers are matched against it: callers written ::ffff:a.b.c.d are read as the IPv4
 * address they are, so a range written that way must be one too (else it matches no caller at all).
 */
export function asMatched([net, bits]: readonly [ipaddr.IPv4 | ipaddr.IPv6, number]): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (net.kind() === 'ipv6' && bits >= 96 && (net as ipaddr.IPv6).isIPv4MappedAddress()) return [(net as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [net, bits];
}

export function compileIpList(list: readonly string[]): IpTest {
  if (list.length === 0) return () => false;
  const ranges = list.map((s) => asMatched(s.includes('/') ? ipaddr.parseCIDR(s) : ((a) => [a, a.kind() === 'ipv4' ? 32 : 128] as const)(ipaddr.parse(s))));
  const cache = new Map<string, boolean>();
  return (ip) => {
    if (!ip) return false;
    let hit = cache.get(ip);
    if (hit === undefined) {
      hit = false;
      if (ipaddr.isValid(ip)) {
        let a = ipaddr.parse(ip);
        if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
        for (const [net, bits] of ranges) {
          if (net.kind() === a.kind() && a.match(net as never, bits)) {
            hit = true;
            break;
          }
        }
      }
      if (cache.size >= 50_000) cache.clear();
      cache.set(ip, hit);
    }
    return hit;
  };
}

/** Matcher for user-agent lists: case-insensitive substrings or "re:<regex>". */
export function compileUaList(list: readonly string[]): (ua: string | undefined) => boolean {
  if (list.length === 0) return () => false;
  const subs = list.filter((s) => !s.startsWith('re:')).map((s) => s.toLowerCase());
  const res = list.filter((s) => s.startsWith('re:')).map((s) => compileSafeRegex(s.slice(3)));
  const cache = new Map<string, boolean>();
  return (ua) => {
    if (!ua) return false;
    let hit = cache.get(ua);
    if (hit === undefined) {
      const low = ua.toLowerCase();
      hit = subs.some((s) => low.includes(s)) || res.some((r) => r.test(ua));
      if (cache.size >= 10_000) cache.clear();
      cache.set(ua, hit);
    }
    return hit;
  };
}

/** "HH:MM" -> minutes after midnight, or null. "24:00" is accepted (end of day). */
export function parseClock(s: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

/** Whether an IANA zone name is known to this runtime. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
