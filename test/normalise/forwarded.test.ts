import { describe, expect, it } from 'vitest';
import { isProxyAddress } from '../../src/normalise/forwarded.js';

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
