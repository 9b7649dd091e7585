/**
 * Where an alert's requests came from when its subject does not say: the addresses its evidence
 * counted (`evidence.ips`) and the API keys its samples were made with. A user's alert names the
 * user; the responder also needs the address to block and the credential to revoke.
 */
import type { AlertRecord } from './records.js';

export interface AlertOrigin {
  /**
   * Addresses, most first (none when the subject names the IP): with their requests when the
   * evidence counted them (`ipsFrom` 'requests'; detectors keep the top five), else with the
   * number of samples from each ('samples': an alert whose requests came from one address; none
   * when the samples name more than three).
   */
  ips: Array<[ip: string, count: number]>;
  ipsFrom: 'requests' | 'samples';
  /** API keys (masked) with the number of samples made with each, most first (none when the subject names the key, or the samples name more than three). */
  keys: Array<[key: string, samples: number]>;
  samples: number;
}

export function alertOrigin(a: AlertRecord): AlertOrigin {
  const samples = a.evidence.samples ?? [];
  let ips: Array<[string, number]> = [];
  let ipsFrom: AlertOrigin['ipsFrom'] = 'requests';
  const counted = a.evidence.ips;
  if (a.subject.ip === undefined) {
    if (typeof counted === 'object' && counted !== null && !Array.isArray(counted)) {
      for (const [ip, n] of Object.entries(counted as Record<string, unknown>)) if (typeof n === 'number') ips.push([ip, n]);
    }
    // Detectors that count addresses only when there are several: the samples say which one.
    if (ips.length === 0) {
      ips = few(tally(samples.map((s) => s.ip)));
      ipsFrom = 'samples';
    }
  }
  const keys = a.subject.apiKey === undefined ? few(tally(samples.map((s) => s.apiKey))) : [];
  return { ips: ips.sort((x, y) => y[1] - x[1]), ipsFrom, keys, samples: samples.length };
}

/**
 * Values read off the samples stand for the alert only when the samples name a few of them: ten
 * samples of a spray from 399 addresses name ten, which would read as the whole list (the alert's
 * figures give the count).
 */
const FEW = 3;
function few(rows: Array<[string, number]>): Array<[string, number]> {
  return rows.length <= FEW ? rows : [];
}

function tally(values: Array<string | undefined>): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const v of values) if (v !== undefined) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m].sort((x, y) => y[1] - x[1]);
}

/** The origin as alert records carry it (`origin`), or undefined when it adds nothing to the subject. */
export function originRecord(a: AlertRecord): AlertRecord['origin'] {
  const o = alertOrigin(a);
  if (o.ips.length === 0 && o.keys.length === 0) return undefined;
  return {
    ...(o.ips.length > 0 ? { ips: o.ips.map(([ip, n]) => (o.ipsFrom === 'requests' ? { ip, requests: n } : { ip, samples: n })) } : {}),
    ...(o.keys.length > 0 ? { apiKeys: o.keys.map(([apiKey, samples]) => ({ apiKey, samples })) } : {}),
    samples: o.samples,
  };
}
