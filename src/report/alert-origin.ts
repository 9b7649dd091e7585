/**
 * Where an alert's requests came from when its subject does not say: the addresses its evidence
 * counted (`evidence.ips`) and the API keys its samples were made with. A user's alert names the
 * user; the responder also needs the address to block and the credential to revoke.
 */
import type { AlertRecord } from './records.js';

export interface AlertOrigin {
  /** Addresses with their request counts, most first (absent when the subject names the IP). */
  ips: Array<[ip: string, requests: number]>;
  /** API keys (masked) with the number of samples made with each, most first (absent when the subject names the key). */
  keys: Array<[key: string, samples: number]>;
  samples: number;
}

export function alertOrigin(a: AlertRecord): AlertOrigin {
  const samples = a.evidence.samples ?? [];
  const ips: Array<[string, number]> = [];
  const counted = a.evidence.ips;
  if (a.subject.ip === undefined && typeof counted === 'object' && counted !== null && !Array.isArray(counted)) {
    for (const [ip, n] of Object.entries(counted as Record<string, unknown>)) if (typeof n === 'number') ips.push([ip, n]);
    ips.sort((x, y) => y[1] - x[1]);
  }
  const keys = new Map<string, number>();
  if (a.subject.apiKey === undefined) for (const s of samples) if (s.apiKey !== undefined) keys.set(s.apiKey, (keys.get(s.apiKey) ?? 0) + 1);
  return { ips, keys: [...keys].sort((x, y) => y[1] - x[1]), samples: samples.length };
}
