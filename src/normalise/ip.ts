/**
 * Client addresses: IPv4 (fast hand parser), IPv6 (ipaddr.js, cached), `[v6]:port` and
 * `v4:port` with the port stripped, IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as Node reports) turned
 * into IPv4, zone ids dropped. Anything that is not an IP (`ec2.amazonaws.com`, `unknown`) is
 * absent. X-Forwarded-For lists give their first valid hop.
 */
import ipaddr from 'ipaddr.js';

/** IPv4 in s[start, end) in canonical dotted-quad form, or undefined. */
function ipv4(s: string, start: number, end: number): string | undefined {
  let parts = 0;
  let val = 0;
  let digits = 0;
  let leadingZero = false;
  for (let i = start; i <= end; i++) {
    const c = i < end ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || val > 255) return undefined;
      if (digits > 1 && s.charCodeAt(i - digits) === 48) leadingZero = true;
      parts++;
      val = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      val = val * 10 + (c - 48);
      if (++digits > 3) return undefined;
    } else {
      return undefined;
    }
  }
  if (parts !== 4) return undefined;
  const text = start === 0 && end === s.length ? s : s.slice(start, end);
  return leadingZero ? text.split('.').map((p) => String(Number(p))).join('.') : text;
}

const v6Cache = new Map<string, string | null>();
const V6_CACHE_MAX = 4096;

function ipv6(s: string): string | undefined {
  const hit = v6Cache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  let out: string | null = null;
  let text = s;
  const pct = text.indexOf('%');
  if (pct >= 0) text = text.slice(0, pct);
  if (ipaddr.IPv6.isValid(text)) {
    const a = ipaddr.IPv6.parse(text);
    out = a.isIPv4MappedAddress() ? a.toIPv4Address().toString() : a.toString();
  }
  if (v6Cache.size >= V6_CACHE_MAX) v6Cache.clear();
  v6Cache.set(s, out);
  return out ?? undefined;
}

function allDigits(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** One address string (already trimmed) to its canonical form, or undefined. */
export function parseIp(s: string): string | undefined {
  const n = s.length;
  if (n < 2 || n > 64) return undefined;
  const c0 = s.charCodeAt(0);
  if (c0 === 91) {
    // [v6] or [v6]:port
    const close = s.indexOf(']');
    if (close < 0) return undefined;
    if (close + 1 < n && !(s.charCodeAt(close + 1) === 58 && allDigits(s, close + 2, n))) return undefined;
    return ipv6(s.slice(1, close));
  }
  const colon = s.indexOf(':');
  if (colon < 0) return ipv4(s, 0, n);
  if (s.indexOf(':', colon + 1) < 0) {
    // v4:port
    return allDigits(s, colon + 1, n) ? ipv4(s, 0, colon) : undefined;
  }
  return ipv6(s);
}

function trimmed(v: unknown): string | undefined {
  if (typeof v !== 'string') return Array.isArray(v) && typeof v[0] === 'string' ? trimmed(v[0]) : undefined;
  const n = v.length;
  if (n === 0) return undefined;
  return v.charCodeAt(0) <= 32 || v.charCodeAt(n - 1) <= 32 ? v.trim() : v;
}

/** A single client address (port stripped). A comma list is read as X-Forwarded-For. */
export function ipOf(v: unknown): string | undefined {
  const s = trimmed(v);
  if (s === undefined) return undefined;
  if (s.indexOf(',') >= 0) return firstHopIp(s);
  return parseIp(s);
}

/** First valid address of an X-Forwarded-For style list ("client, proxy1, proxy2"). */
export function firstHopIp(v: unknown): string | undefined {
  const s = trimmed(v);
  if (s === undefined) return undefined;
  let start = 0;
  while (start < s.length) {
    let end = s.indexOf(',', start);
    if (end < 0) end = s.length;
    const part = s.slice(start, end).trim();
    const ip = part.length > 0 ? parseIp(part) : undefined;
    if (ip !== undefined) return ip;
    start = end + 1;
  }
  return undefined;
}
