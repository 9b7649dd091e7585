import { describe, expect, it } from 'vitest';
import { clientHop, isProxyAddress } from '../../src/normalise/forwarded.js';

describe('isProxyAddress: the ranges a proxy in front of an application has its address in', () => {
  it('private, loopback, link-local and carrier-grade NAT IPv4; unique-local, link-local and loopback IPv6', () => {
    for (const ip of ['10.0.0.1', '10.255.255.255', '127.0.0.1', '172.16.0.1', '172.31.255.254', '192.168.1.1', '169.254.169.254', '100.64.0.1', '100.127.255.255', '::1', 'fd00:ec2::254', 'fc00::1', 'fe80::1', 'febf::1']) {
      expect(isProxyAddress(ip), ip).toBe(true);
    }
  });

  it('public addresses, including the look-alikes next to each range', () => {
    for (const ip of ['1.2.3.4', '11.0.0.1', '100.63.255.255', '100.128.0.1', '172.15.0.1', '172.32.0.1', '192.167.1.1', '192.169.1.1', '169.253.0.1', '126.0.0.1', '81.2.69.160', '2001:db8::1', 'fe7f::1', 'fec0::1', 'fbff::1', 'fe:1::1', '::ffff:1.2.3.4']) {
      expect(isProxyAddress(ip), ip).toBe(false);
    }
  });
});

describe('clientHop: the hop the first trusted proxy saw', () => {
  it('the last hop that is not a proxy address: hops a client wrote in front cannot stand in for it', () => {
    expect(clientHop('6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    expect(clientHop('6.6.6.6, 203.0.113.9, 10.0.0.7, 10.1.0.4')).toBe('203.0.113.9');
    expect(clientHop('185.220.101.7')).toBe('185.220.101.7');
    expect(clientHop(['1.2.3.4', '5.6.7.8'])).toBe('5.6.7.8'); // Caddy's header arrays
    expect(clientHop('unknown, 31.17.44.202,')).toBe('31.17.44.202');
  });

  it('when every hop is private, the first valid one (the client inside the network); nothing valid, nothing', () => {
    expect(clientHop('10.2.3.4, 10.0.0.1')).toBe('10.2.3.4');
    expect(clientHop('unknown, -')).toBeUndefined();
    expect(clientHop(42)).toBeUndefined();
  });

  it('isProxyAddress ends on text without a dot', () => {
    expect(isProxyAddress('1')).toBe(false);
    expect(isProxyAddress('172')).toBe(false);
  });
});
