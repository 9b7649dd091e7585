import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { actorKey, classifyId, createEnricher, createGeoLookup, queryIds, reservedRange, templatePath } from '../../src/enrich/index.js';
import { GenerationCache } from '../../src/enrich/cache.js';
import { IPS } from '../../fixtures/scenarios/generate.js';
import type { ApiEvent } from '../../src/normalise/event.js';

const base: ApiEvent = { ts: 0, format: 'flat', source: { file: 'f', line: 1 }, raw: null };

describe('route templates and object ids', () => {
  it.each([
    ['/orders/8801', '/orders/{id}', 'int'],
    ['/api/v1/users/8812/orders/55', '/api/v1/users/{id}/orders/{id}', 'int'],
    ['/docs/3f2504e0-4f89-11d3-9a0c-0305e82c3301', '/docs/{id}', 'uuid'],
    ['/items/507f1f77bcf86cd799439011', '/items/{id}', 'objectid'],
    ['/blobs/deadbeef00112233aabb', '/blobs/{id}', 'hex'],
    ['/events/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/events/{id}', 'ulid'],
    ['/users/alice@example.com/profile', '/users/{email}/profile', 'email'],
    ['/reset/dGhpcyBpcyBhIHRva2VuIHZhbHVlIDEyMw', '/reset/{id}', 'token'],
  ])('%s -> %s (%s)', (path, template, kind) => {
    const t = templatePath(path);
    expect(t.template).toBe(template);
    expect(t.ids[t.ids.length - 1]!.kind).toBe(kind);
  });

  it('keeps words, versions, slugs and short hex-looking words literal; lower-cases them', () => {
    expect(templatePath('/api/v1/Products/red-shoes').template).toBe('/api/v1/products/red-shoes');
    expect(templatePath('/cafe/facade/decade').template).toBe('/cafe/facade/decade');
    expect(templatePath('/reports/annual-report-2024-final-version').template).toBe('/reports/annual-report-2024-final-version');
    expect(templatePath('/').template).toBe('/');
    expect(templatePath('/orders/').template).toBe('/orders');
  });

  it('records where the id sits and its numeric value', () => {
    expect(templatePath('/users/8812/orders/55').ids).toEqual([
      { param: 'path:1', value: '8812', kind: 'int', numeric: 8812 },
      { param: 'path:3', value: '55', kind: 'int', numeric: 55 },
    ]);
  });

  it('extracts ids from id-like query parameters', () => {
    expect(queryIds('id=42&page=3&user_id=7&orderId=abc-1&q=hello').map((r) => [r.param, r.value, r.kind])).toEqual([
      ['query:id', '42', 'int'],
      ['query:user_id', '7', 'int'],
      ['query:orderId', 'abc-1', 'token'],
    ]);
    expect(queryIds('ids=1,2,3').map((r) => r.value)).toEqual(['1', '2', '3']);
    expect(queryIds('account_id=a%40b.com')[0]).toMatchObject({ value: 'a@b.com', kind: 'email' });
    expect(queryIds('page=1&limit=50')).toEqual([]);
  });

  it('never throws and always yields a template starting with "/"', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const t = templatePath(s);
        expect(t.template.startsWith('/')).toBe(true);
        expect(() => queryIds(s)).not.toThrow();
        expect(() => classifyId(s)).not.toThrow();
      }),
    );
  });

  it('uses the source route when present but still extracts ids from the concrete path', () => {
    const enrich = createEnricher();
    const e = enrich({ ...base, path: '/orders/8801', route: '/orders/{orderId}', user: 'u1' });
    expect(e.template).toBe('/orders/{orderId}');
    expect(e.objectIds.map((r) => r.value)).toEqual(['8801']);
  });

  it('falls back to the action for non-HTTP events', () => {
    const e = createEnricher()({ ...base, action: 's3.amazonaws.com:GetObject' });
    expect(e.template).toBe('s3.amazonaws.com:GetObject');
    expect(e.objectIds).toEqual([]);
  });

  it('builds actor keys: user, else API key, else IP', () => {
    expect(actorKey({ user: 'u', apiKey: 'k', ip: '1.2.3.4' })).toBe('user:u');
    expect(actorKey({ apiKey: 'k', ip: '1.2.3.4' })).toBe('key:k');
    expect(actorKey({ ip: '1.2.3.4' })).toBe('ip:1.2.3.4');
    expect(createEnricher()({ ...base, apiKey: 'k1', path: '/x' }).actor).toBe('key:k1');
  });

  it('caches templates in a bounded two-generation cache', () => {
    const c = new GenerationCache<string, number>(3);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, i);
    expect(c.size).toBeLessThanOrEqual(6);
    expect(c.get('k0')).toBeUndefined();
    expect(c.get('k9')).toBe(9);
    expect(c.get('k6')).toBe(6); // old generation: found and promoted
    for (let i = 10; i < 13; i++) c.set(`k${i}`, i);
    expect(c.get('k6')).toBe(6);
  });
});

describe('GeoIP', () => {
  const geo = createGeoLookup();

  it.each([
    ['203.0.113.9', 'documentation (RFC 5737)'],
    ['198.51.100.42', 'documentation (RFC 5737)'],
    ['192.0.2.1', 'documentation (RFC 5737)'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.20.0.1', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['127.0.0.1', 'loopback'],
    ['169.254.3.4', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT (RFC 6598)'],
    ['::1', 'loopback'],
    ['fd12:3456::1', 'unique local (RFC 4193)'],
    ['2001:db8::7', 'documentation (RFC 3849)'],
    ['::ffff:10.0.0.1', 'private (RFC 1918)'],
  ])('names the reserved range of %s', (ip, name) => {
    expect(reservedRange(ip)).toBe(name);
    expect(geo(ip)).toEqual({ reserved: name });
  });

  it('places the scenario IPs in their cities (accuracy radius included)', () => {
    const expectations: Array<[string, string, string]> = [
      [`${IPS.berlinA}.10`, 'Berlin', 'DE'],
      [`${IPS.berlinB}.10`, 'Berlin', 'DE'],
      [`${IPS.berlinOffice}.15`, 'Berlin', 'DE'],
      [`${IPS.munichA}.10`, 'Munich', 'DE'],
      [`${IPS.munichB}.10`, 'Munich', 'DE'],
      [IPS.frankfurtNat, 'Frankfurt am Main', 'DE'],
      [`${IPS.paris}.40`, 'Paris', 'FR'],
      [`${IPS.mumbai}.23`, 'Mumbai', 'IN'],
      [`${IPS.lagos}.99`, 'Lagos', 'NG'],
      [`${IPS.moscow}.10`, 'Moscow', 'RU'],
      [`${IPS.singapore}.10`, 'Singapore', 'SG'],
    ];
    for (const [ip, city, country] of expectations) {
      const g = geo(ip);
      expect(g, ip).toMatchObject({ city, country });
      expect(g!.radiusKm, ip).toBeLessThanOrEqual(20);
      expect(g!.lat).toBeTypeOf('number');
    }
  });

  it('returns null for nothing and caches per IP', () => {
    expect(geo(undefined)).toBeNull();
    expect(geo('2.205.77.10')).toBe(geo('2.205.77.10'));
    expect(geo('not-an-ip')).toEqual({ reserved: 'invalid IP address' });
  });
});
