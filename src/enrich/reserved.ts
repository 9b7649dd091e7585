/**
 * Private and reserved address ranges, named, so detectors can say why an IP has no location.
 */
import ipaddr from 'ipaddr.js';

const V4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified ("this network", RFC 1122)'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments (RFC 6890)'],
  ['192.0.2.0', 24, 'documentation (RFC 5737)'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking (RFC 2544)'],
  ['198.51.100.0', 24, 'documentation (RFC 5737)'],
  ['203.0.113.0', 24, 'documentation (RFC 5737)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (RFC 1112)'],
];
const V6: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['fc00::', 7, 'unique local (RFC 4193)'],
  ['fe80::', 10, 'link-local'],
  ['2001:db8::', 32, 'documentation (RFC 3849)'],
  ['ff00::', 8, 'multicast'],
];

const v4 = V4.map(([a, bits, name]) => [ipaddr.IPv4.parse(a), bits, name] as const);
const v6 = V6.map(([a, bits, name]) => [ipaddr.IPv6.parse(a), bits, name] as const);

/** The name of the reserved range an IP falls in, "invalid IP address" when it is not one, or null. */
export function reservedRange(ip: string): string | null {
  if (!ipaddr.isValid(ip)) return 'invalid IP address';
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  if (a.kind() === 'ipv4') {
    for (const [net, bits, name] of v4) if ((a as ipaddr.IPv4).match(net, bits)) return name;
  } else {
    for (const [net, bits, name] of v6) if ((a as ipaddr.IPv6).match(net, bits)) return name;
  }
  return null;
}
