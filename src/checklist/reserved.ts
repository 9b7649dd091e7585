/**
 * Names the special-purpose range an IP belongs to (private, documentation, loopback...), for
 * when the geo lookup did not say. Addresses in these ranges have no geographic location.
 */
import ipaddr from 'ipaddr.js';

const RANGES: Array<[string, string]> = [
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (RFC 3927)'],
  ['100.64.0.0/10', 'carrier-grade NAT (RFC 6598)'],
  ['192.0.2.0/24', 'documentation (RFC 5737)'],
  ['198.51.100.0/24', 'documentation (RFC 5737)'],
  ['203.0.113.0/24', 'documentation (RFC 5737)'],
  ['198.18.0.0/15', 'benchmarking (RFC 2544)'],
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (RFC 1112)'],
  ['::1/128', 'loopback'],
  ['::/128', 'unspecified'],
  ['fc00::/7', 'unique local (RFC 4193)'],
  ['fe80::/10', 'link-local'],
  ['2001:db8::/32', 'documentation (RFC 3849)'],
  ['3fff::/20', 'documentation (RFC 9637)'],
  ['ff00::/8', 'multicast'],
];

type Parsed = ReturnType<typeof ipaddr.parse>;
const COMPILED: Array<[Parsed, number, string]> = RANGES.map(([cidr, name]) => {
  const [addr, bits] = ipaddr.parseCIDR(cidr);
  return [addr, bits, name];
});

/** The range's name, or undefined for a public (or unparsable) address. */
export function reservedRangeName(ip: string | undefined): string | undefined {
  if (ip === undefined || !ipaddr.isValid(ip)) return undefined;
  let addr: Parsed = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  for (const [range, bits, name] of COMPILED) {
    if (range.kind() === addr.kind() && addr.match(range, bits)) return name;
  }
  return undefined;
}
