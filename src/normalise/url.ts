/**
 * Request targets: "/p?q" split on the first "?", full URLs split into host, path and query,
 * and nginx/ALB request lines ("GET /p?q HTTP/1.1").
 */

export interface Target {
  path: string;
  query?: string;
  host?: string;
}

function isHttpUrl(s: string): number {
  // Returns the index just after "://" for http(s)/ws(s) URLs, else -1.
  const c = s.charCodeAt(0) | 32;
  if (c !== 104 && c !== 119) return -1;
  const i = s.indexOf('://');
  if (i < 2 || i > 5) return -1;
  const scheme = s.slice(0, i).toLowerCase();
  return scheme === 'http' || scheme === 'https' || scheme === 'ws' || scheme === 'wss' ? i + 3 : -1;
}

/** Splits a request target (origin form or absolute URL). Undefined for an empty target. */
export function splitTarget(s: string): Target | undefined {
  if (s.length === 0) return undefined;
  let host: string | undefined;
  let rest = s;
  const after = isHttpUrl(s);
  if (after > 0) {
    let end = s.length;
    for (let i = after; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 47 || c === 63 || c === 35) {
        end = i;
        break;
      }
    }
    let authority = s.slice(after, end);
    const at = authority.lastIndexOf('@');
    if (at >= 0) authority = authority.slice(at + 1);
    // The scheme's own port says nothing ("https://shop.example:443/..." from Front Door classic is
    // the host shop.example, as the same request written without it); any other port is kept.
    const scheme = s.slice(0, after - 3).toLowerCase();
    const defaultPort = scheme === 'https' || scheme === 'wss' ? ':443' : ':80';
    if (authority.endsWith(defaultPort)) authority = authority.slice(0, -defaultPort.length);
    if (authority.length > 0) host = authority;
    rest = s.slice(end);
    const hash = rest.indexOf('#');
    if (hash >= 0) rest = rest.slice(0, hash);
    if (rest.length === 0 || rest.charCodeAt(0) === 63) rest = '/' + rest;
  }
  const q = rest.indexOf('?');
  // "-" is the empty value of nginx and Apache logs: "-?" or "-?a=1" names no request target either.
  if (q === 1 && rest.charCodeAt(0) === 45) return undefined;
  const t: Target = q < 0 ? { path: rest } : { path: rest.slice(0, q) };
  if (q >= 0 && q + 1 < rest.length) t.query = rest.slice(q + 1);
  if (host !== undefined) t.host = host;
  if (t.path.length === 0) t.path = '/';
  return t;
}

export interface RequestLine {
  method: string;
  target: string;
  protocol?: string;
}

/** "GET /p?q HTTP/1.1" (protocol optional). Undefined when there is no space-separated target. */
export function splitRequestLine(s: string): RequestLine | undefined {
  const a = s.indexOf(' ');
  if (a <= 0) return undefined;
  const b = s.lastIndexOf(' ');
  const method = s.slice(0, a);
  if (b > a) {
    const proto = s.slice(b + 1);
    if (proto.startsWith('HTTP/') || proto.startsWith('http/')) {
      return { method, target: s.slice(a + 1, b), protocol: proto };
    }
  }
  return { method, target: s.slice(a + 1) };
}
