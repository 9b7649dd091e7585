/**
 * The client behind a proxy. Behind an ingress or a load balancer, many logs record the proxy as
 * the peer (nginx's remote_addr, Kong's client_ip, Caddy's request.remote_ip, pino-http's
 * req.remoteAddress): one private address on every line. That blinds every per-IP detector and
 * blames the proxy for what its clients did. The client is then the first hop of the
 * X-Forwarded-For header the proxy set, when the record carries it; only then: an application
 * exposed directly has a public peer, and a header its client wrote is not taken over it.
 *
 * Which hop: the last one that is not itself a proxy's address. A proxy appends the address it saw
 * to whatever the client sent, so the hops before it are the client's own words: a stuffing run
 * that sends a random X-Forwarded-For each time would otherwise pass as many clients, and could
 * blame anyone (nginx's real_ip_recursive takes the same hop). Behind a CDN that hop is the CDN's
 * edge: name the CDN's client header with --map ip=<path>.
 */
import { firstHopIp, parseIp } from './ip.js';
import { compileSegments, isObj, type Getter, type Rec } from './get.js';

/** Top-level keys that hold the header, compared lower-case without "_" and "-". */
const TOP_KEYS = new Set(['xforwardedfor', 'httpxforwardedfor', 'proxyaddxforwardedfor', 'forwardedfor', 'xff', 'requestxforwardedfor']);
/** Objects of request headers, by their path from the record. */
const HEADER_OBJECTS = [['req', 'headers'], ['request', 'headers'], ['headers'], ['request_headers'], ['requestHeaders'], ['RequestHeaders']].map(
  (path) => ({ path, get: compileSegments(path) }),
);

function squash(k: string): string {
  return k.toLowerCase().replace(/[_-]/g, '');
}

/**
 * An address a proxy in front of the application has: private, loopback, link-local, unique local
 * (IPv6) or carrier-grade NAT. `ip` is canonical (src/normalise/ip.ts): dotted quad or
 * lower-case compressed IPv6. Character tests: this runs for every event.
 */
export function isProxyAddress(ip: string): boolean {
  const c0 = ip.charCodeAt(0);
  if (ip.indexOf(':') >= 0) {
    if (ip === '::1') return true;
    const colon = ip.indexOf(':');
    if (colon !== 4) return false;
    const first = Number.parseInt(ip.slice(0, 4), 16);
    return (first >= 0xfc00 && first <= 0xfdff) || (first >= 0xfe80 && first <= 0xfebf);
  }
  if (c0 !== 49) return false; // every range below starts with a "1"
  let i = 0;
  const a = octet(ip, 0);
  if (a === 10 || a === 127) return true;
  while (i < ip.length && ip.charCodeAt(i) !== 46) i++;
  const b = octet(ip, i + 1);
  return (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

/** The decimal number at `from` in a dotted quad, up to the next dot (no substring per event). */
function octet(ip: string, from: number): number {
  let n = 0;
  for (let i = from; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) break;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** After a record without the header, how many more go by before the next search. */
const SEARCH_EVERY = 256;

/**
 * Where a file's records keep X-Forwarded-For, found once and then read directly. A private caller
 * without the header (a kubelet's probe, internal traffic) would search every record's keys: after
 * a miss, only every SEARCH_EVERY-th such record is searched.
 */
export class ForwardedFor {
  private header: Getter | null = null;
  private sinceMiss = SEARCH_EVERY;

  /** The client named by the record's X-Forwarded-For, if it has one (`trusted`: rules' trustedProxies). */
  client(rec: Rec, trusted?: (ip: string) => boolean): string | undefined {
    if (this.header !== null) {
      const v = this.header(rec);
      if (v !== undefined && v !== null) return clientHop(v, trusted);
    }
    if (this.sinceMiss < SEARCH_EVERY) {
      this.sinceMiss++;
      return undefined;
    }
    const found = findHeader(rec);
    if (found === undefined) {
      this.sinceMiss = 0;
      return undefined;
    }
    this.header = compileSegments(found);
    return clientHop(this.header(rec), trusted);
  }

  /** The header's first valid hop, once its place is known (after client()). */
  firstHop(rec: Rec): string | undefined {
    if (this.header === null) return undefined;
    const v = this.header(rec);
    return firstHopIp(Array.isArray(v) ? v.join(',') : v);
  }
}

/**
 * The last hop that is not a proxy's address, private or in `trusted` (the one the first trusted
 * proxy saw); when every hop is a proxy's, the first valid one. Caddy keeps header values as
 * arrays: their parts are joined.
 */
export function clientHop(v: unknown, trusted?: (ip: string) => boolean): string | undefined {
  const s = Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(',') : typeof v === 'string' ? v : undefined;
  if (s === undefined) return undefined;
  let first: string | undefined;
  let end = s.length;
  while (end > 0) {
    const start = s.lastIndexOf(',', end - 1) + 1;
    const part = s.slice(start, end).trim();
    const ip = part.length > 0 ? parseIp(part) : undefined;
    if (ip !== undefined) {
      if (!isProxyAddress(ip) && (trusted === undefined || !trusted(ip))) return ip;
      first = ip;
    }
    end = start - 1;
  }
  return first;
}

/** The record's X-Forwarded-For: where (as `formats detect` shows a source) and the client it names. */
export function forwardedHeader(rec: Rec, trusted?: (ip: string) => boolean): { path: string; client: string | undefined } | undefined {
  const found = findHeader(rec);
  return found === undefined ? undefined : { path: found.join('.'), client: clientHop(compileSegments(found)(rec), trusted) };
}

function findHeader(rec: Rec): string[] | undefined {
  for (const k in rec) if (TOP_KEYS.has(squash(k)) && rec[k] !== null && rec[k] !== undefined) return [k];
  for (const { path, get } of HEADER_OBJECTS) {
    const h = get(rec);
    if (!isObj(h)) continue;
    for (const k in h) if (squash(k) === 'xforwardedfor' && h[k] !== null && h[k] !== undefined) return [...path, k];
  }
  return undefined;
}

/**
 * A public caller that forwards for others looks like a CDN edge or a public load balancer (or a
 * client writing the header itself): apilog keeps the address that connected, and the summary
 * says how to name the proxies (rules: trustedProxies) when most events look so.
 */
export interface PublicForwarders {
  /** Events looked at (a file's first few thousand with a public, untrusted caller: normaliser.ts). */
  checked: number;
  /** Of those, the ones whose X-Forwarded-For names another client. */
  forwarding: number;
  /** One of them: the caller and the client its header names. */
  example?: { peer: string; client: string };
  /** Hops behind a proxy (Normaliser.hopsBehind): how many different addresses came before the hop taken. */
  distinctBefore?: number;
}

/**
 * Whether most callers looked at forward for others (the summary's note and formats detect's
 * advice): the counts over the files, with one example, or undefined.
 */
export function mostlyForwarding(files: readonly PublicForwarders[], minChecked: number): Required<Omit<PublicForwarders, 'distinctBefore'>> | undefined {
  let checked = 0;
  let forwarding = 0;
  let example: PublicForwarders['example'];
  for (const f of files) {
    checked += f.checked;
    forwarding += f.forwarding;
    example ??= f.example;
  }
  if (checked < minChecked || forwarding < 0.5 * checked || example === undefined) return undefined;
  return { checked, forwarding, example };
}
