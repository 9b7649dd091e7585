/** Small classifiers used by the checklist: actor kind, status class, modification kind. */
import type { AuthOutcome } from '../normalise/event.js';
import { isServicePrincipal } from '../enrich/principal.js';

export type ActorKind = 'human' | 'service' | 'crawler' | 'unknown';

const CRAWLER_UA =
  /bot\b|bot\/|crawl|spider|slurp|scrapy|scraper|facebookexternalhit|bingpreview|headlesschrome|phantomjs|nikto|sqlmap|nmap|masscan|zgrab|nuclei|gobuster|dirbuster|ffuf|wfuzz|feroxbuster|httrack|semrush|ahrefs|petalbot|yandex|baiduspider/i;
const SCRIPT_UA =
  /^(?:curl|wget|python-requests|python-urllib|aiohttp|httpx|go-http-client|okhttp|java\/|apache-httpclient|axios|node-fetch|undici|got|postmanruntime|insomnia|libwww-perl|ruby|faraday|restsharp|powershell)/i;
const BROWSER_UA = /^mozilla\/5\.0 /i;

export type ClientKind = 'browser' | 'script' | 'crawler' | 'other' | 'none';

const uaCache = new Map<string, ClientKind>();

export function clientKind(ua: string | undefined): ClientKind {
  if (ua === undefined || ua === '' || ua === '-') return 'none';
  let k = uaCache.get(ua);
  if (k !== undefined) return k;
  k = CRAWLER_UA.test(ua) ? 'crawler' : SCRIPT_UA.test(ua) ? 'script' : BROWSER_UA.test(ua) ? 'browser' : 'other';
  if (uaCache.size >= 10_000) uaCache.clear();
  uaCache.set(ua, k);
  return k;
}

/** Human, service account, crawler or unknown, from the principal's naming, roles and the UA. */
export function actorKind(user: string | undefined, apiKey: string | undefined, roles: readonly string[] | undefined, client: ClientKind): ActorKind {
  if (client === 'crawler') return 'crawler';
  if (isServicePrincipal(user, roles)) return 'service';
  if (user !== undefined) return 'human';
  if (apiKey !== undefined) return 'service';
  return 'unknown';
}

export type StatusClass = 'success' | 'redirect' | 'auth-failure' | 'client-error' | 'server-error' | 'unknown';

export function statusClass(status: number | undefined, auth: AuthOutcome | undefined): StatusClass {
  if (status === undefined) return auth === 'failure' || auth === 'denied' ? 'auth-failure' : auth === 'success' ? 'success' : 'unknown';
  if (status === 401 || status === 403 || status === 407 || auth === 'failure' || auth === 'denied') return 'auth-failure';
  if (status >= 500) return 'server-error';
  if (status >= 400) return 'client-error';
  if (status >= 300) return 'redirect';
  if (status >= 100) return 'success';
  return 'unknown';
}

export type ModificationKind = 'create' | 'update' | 'delete' | null;

const ACTION_VERB = /(?:^|[:.])(Create|Put|Post|Add|Attach|Update|Modify|Set|Replace|Patch|Delete|Remove|Detach|Terminate|Purge)[A-Z]?/;

/** Creation, update or deletion from the HTTP method (or a CloudTrail-like action name). */
export function modificationKind(method: string | undefined, action: string | undefined): ModificationKind {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
    case 'PATCH':
      return 'update';
    case 'DELETE':
      return 'delete';
    case undefined:
      break;
    default:
      return null;
  }
  if (action === undefined) return null;
  const m = ACTION_VERB.exec(action);
  if (m === null) return null;
  const verb = m[1] as string;
  if (/^(Delete|Remove|Detach|Terminate|Purge)$/.test(verb)) return 'delete';
  if (/^(Create|Post|Add)$/.test(verb)) return 'create';
  return 'update';
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content',
  301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  407: 'Proxy Authentication Required', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}
