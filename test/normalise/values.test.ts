import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstHopIp, ipOf, parseIp } from '../../src/normalise/ip.js';
import {
  countryOf, durationMs, looksSecret, maskKey, methodOf, num, queryOf, rolesOf, safeText, statusOf, str, urlDecoded,
} from '../../src/normalise/values.js';
import { applierFor } from '../../src/normalise/spec.js';
import { splitRequestLine, splitTarget } from '../../src/normalise/url.js';
import { caseInsensitiveView, compilePath, get, resolvePath } from '../../src/normalise/get.js';
import { deriveAuth, authFromValue } from '../../src/normalise/auth.js';

describe('ip', () => {
  it.each([
    ['203.0.113.10', '203.0.113.10'],
    [' 203.0.113.10 ', '203.0.113.10'],
    ['203.0.113.10:5678', '203.0.113.10'],
    ['010.001.002.003', '10.1.2.3'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['[2001:db8::1]:8080', '2001:db8::1'],
    ['[::1]', '::1'],
    ['::ffff:203.0.113.10', '203.0.113.10'],
    ['fe80::1%eth0', 'fe80::1'],
    ['198.51.100.7, 10.0.0.1', '198.51.100.7'],
    [['203.0.113.9'], '203.0.113.9'],
  ])('ipOf(%j) = %s', (input, expected) => {
    expect(ipOf(input)).toBe(expected);
  });

  it.each([['ec2.amazonaws.com'], ['unknown'], ['-'], [''], ['256.1.1.1'], ['1.2.3'], ['1.2.3.4.5'], ['1.2.3.4:http'], ['[::1]x'], ['::g'], [42], [null]])(
    'ipOf(%j) is absent',
    (input) => {
      expect(ipOf(input)).toBeUndefined();
    },
  );

  it('X-Forwarded-For: first valid hop', () => {
    expect(firstHopIp('198.51.100.7, 10.0.0.1, 10.0.0.2')).toBe('198.51.100.7');
    expect(firstHopIp('unknown, 198.51.100.8')).toBe('198.51.100.8');
    expect(firstHopIp('2001:db8::5,203.0.113.1')).toBe('2001:db8::5');
    expect(firstHopIp('-')).toBeUndefined();
  });

  it('any IPv4 round-trips, with or without a port', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 1, max: 65535 }), (ip, port) => {
        expect(parseIp(ip)).toBe(ip);
        expect(parseIp(`${ip}:${port}`)).toBe(ip);
      }),
    );
  });

  it('any IPv6 parses, bracketed with a port too, to the same text', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.integer({ min: 1, max: 65535 }), (ip, port) => {
        const a = parseIp(ip);
        expect(a).toBeDefined();
        expect(parseIp(`[${ip}]:${port}`)).toBe(a);
      }),
    );
  });
});

describe('values', () => {
  it('str trims, treats "-" and "" as absent, takes the first of header arrays', () => {
    expect(str(' user ')).toBe('user');
    expect(str('-')).toBeUndefined();
    expect(str('  ')).toBeUndefined();
    expect(str(42)).toBe('42');
    expect(str(['curl/8', 'x'])).toBe('curl/8');
    expect(str(true)).toBeUndefined();
    expect(str({})).toBeUndefined();
  });

  it('numbers written as strings', () => {
    expect(num('200')).toBe(200);
    expect(num(' 1309 ')).toBe(1309);
    expect(num('-')).toBeUndefined();
    expect(num('')).toBeUndefined();
    expect(num('12abc')).toBeUndefined();
    expect(num('1.5e3')).toBe(1500);
    expect(num('0.25')).toBe(0.25);
    expect(num('0')).toBe(0);
    // Number() reads these literals; a log never writes a size so.
    for (const lit of ['0x194', ' 0X194', '0o17', '0b11']) expect(num(lit), lit).toBeUndefined();
    expect(statusOf('404')).toBe(404);
    expect(statusOf('200.0')).toBe(200);
    expect(statusOf(0)).toBeUndefined();
    expect(statusOf('ok')).toBeUndefined();
  });

  it('a status is a decimal integer 100..599: hex, exponents and trailing junk are no status', () => {
    expect(statusOf(' 404 ')).toBe(404);
    expect(statusOf(599)).toBe(599);
    expect(statusOf('100')).toBe(100);
    for (const bad of ['0x194', '0X194', '4e2', '4E2', ' 404x', '404x', '+404', '-404', '0404', '404.5', '404.', '.404', '4 04', '0b110010100', '0o624', 'Infinity', '600', '999', '99']) {
      expect(statusOf(bad), bad).toBeUndefined();
    }
    expect(statusOf(404.5)).toBeUndefined();
    expect(statusOf(600)).toBeUndefined();
    expect(statusOf(true)).toBeUndefined();
  });

  it('a status line\'s code and reason phrase ("200 OK") is the code; anything else after the code is not', () => {
    expect(statusOf('200 OK')).toBe(200);
    expect(statusOf('401 Unauthorized')).toBe(401);
    expect(statusOf(' 404 Not Found ')).toBe(404);
    expect(statusOf('203 Non-Authoritative Information')).toBe(203);
    expect(statusOf("418 I'm a teapot")).toBe(418);
    for (const bad of ['200  OK', '200 OK2', '200 OK!', '200 1', '200 -', '200 OK 5', '600 OK', '099 OK', '200OK', 'OK 200', '200 bytes/s']) {
      expect(statusOf(bad), bad).toBeUndefined();
    }
  });

  it('methods are upper-cased tokens', () => {
    expect(methodOf('get')).toBe('GET');
    expect(methodOf(' Post ')).toBe('POST');
    expect(methodOf('GET /x')).toBeUndefined();
    expect(methodOf('-')).toBeUndefined();
  });

  it('roles from strings (comma and/or space) and arrays', () => {
    expect(rolesOf('a,b')).toEqual(['a', 'b']);
    expect(rolesOf('a b')).toEqual(['a', 'b']);
    expect(rolesOf(' a, b ;c ')).toEqual(['a', 'b', 'c']);
    expect(rolesOf(['x', ' y ', '', 3])).toEqual(['x', 'y', '3']);
    expect(rolesOf('')).toBeUndefined();
    expect(rolesOf([])).toBeUndefined();
  });

  it('roles of a repeated text are one shared, frozen array, and the same answer every time', () => {
    const first = rolesOf('admin, ops');
    expect(first).toEqual(['admin', 'ops']);
    expect(rolesOf('admin, ops')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => (first as string[]).push('root')).toThrow(TypeError);
    expect(rolesOf('admin, ops')).toEqual(['admin', 'ops']);
    expect(rolesOf(' - ')).toBeUndefined();
    expect(rolesOf(' - ')).toBeUndefined();
    // Past the cache's cap, texts are still split correctly.
    for (let i = 0; i < 1_500; i++) expect(rolesOf(`r${i},x`)).toEqual([`r${i}`, 'x']);
  });

  it('durations: unit of bare numbers, or the string own suffix', () => {
    expect(durationMs(42, 'ms')).toBe(42);
    expect(durationMs('0.042', 's')).toBe(42);
    expect(durationMs(0.001674508, 's')).toBe(1.675);
    expect(durationMs(3454189, 'ns')).toBe(3.454);
    expect(durationMs(1500, 'us')).toBe(1.5);
    expect(durationMs('0.048180s', 'ms')).toBe(48.18);
    expect(durationMs('12ms', 's')).toBe(12);
    expect(durationMs('1m2.5s', 'ms')).toBe(62500);
    expect(durationMs('500µs', 'ms')).toBe(0.5);
    expect(durationMs('250 ns', 'ms')).toBe(0);
    expect(durationMs(-1, 's')).toBeUndefined();
    expect(durationMs('fast', 'ms')).toBeUndefined();
  });

  it('API keys: identifiers kept, secrets named by their first characters, length and hash', () => {
    expect(maskKey('ASIA5FLZVX4OPVKKVBMX')).toBe('ASIA5FLZVX4OPVKKVBMX');
    expect(maskKey('c62c1455-9b1d-4f2d-8797-509ba83b8ae8')).toBe('c62c1455-9b1d-4f2d-8797-509ba83b8ae8');
    expect(maskKey('**********************************iFNdgS')).toBe('**********************************iFNdgS');
    expect(maskKey('Jx8Rw3kP0qLmZ7vB2nC5yT1hG4dF6sA9')).toMatch(/^Jx8Rw3kP…\[REDACTED api-key len=32 sha256:[0-9a-f]{8}\]$/);
    expect(maskKey('sk_live_4eC39HqLyjWDarjtT1zdp7dc')).toMatch(/^sk_live_…\[REDACTED stripe-key len=32 sha256:[0-9a-f]{8}\]$/);
    expect(maskKey('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig')).toMatch(/\[REDACTED [a-z-]+ len=40 sha256:[0-9a-f]{8}\]$/);
    expect(maskKey('key-123', true)).toMatch(/^ke…\[REDACTED api-key len=7 sha256:[0-9a-f]{8}\]$/);
    expect(looksSecret('my-api-key-identifier')).toBe(false);
  });

  it('two keys that share their first characters keep two names; one key keeps one', () => {
    const a = maskKey('sk_live_51HxYzAbCdEfGhIjKlMnOpQr0001');
    const b = maskKey('sk_live_51HxYzAbCdEfGhIjKlMnOpQr0002');
    expect(a).not.toBe(b);
    expect(maskKey('sk_live_51HxYzAbCdEfGhIjKlMnOpQr0001')).toBe(a);
    expect(maskKey('partner-acme-key-0001', true)).not.toBe(maskKey('partner-acme-key-0002', true));
    // A UUID under a field that holds the key itself: named as the output names the same UUID read as an id.
    expect(maskKey('6c664d6d-1f2a-4b3c-8d9e-0123456789ab', true)).not.toBe(maskKey('6c664d6d-0000-4b3c-8d9e-0123456789ab', true));
    for (const name of [a, b]) expect(name).not.toContain('HxYz');
    // A name is not named again (a baseline's actor, a subject read back).
    expect(maskKey(a, true)).toBe(a);
    // A key that merely holds the marker is no name: masked like any other.
    const tricky = 'Jx8Rw3kP0qLmZ7vB2nC5yT1hG4dF6sA9[REDACTED x]';
    expect(maskKey(tricky, true)).not.toContain('Jx8Rw3kP0q');
  });

  it('country codes', () => {
    expect(countryOf('nl')).toBe('NL');
    expect(countryOf('XX')).toBeUndefined();
    expect(countryOf('t1')).toBe('T1'); // Cloudflare: a Tor exit node
    expect(countryOf('Germany')).toBeUndefined();
  });

  it('query strings and query objects', () => {
    expect(queryOf('?a=1')).toBe('a=1');
    expect(queryOf({ status: 'available', tag: ['x', 'y'], flag: true })).toBe('status=available&tag=x&tag=y&flag');
    expect(queryOf({ q: 'a b' })).toBe('q=a+b');
    expect(queryOf({})).toBeUndefined();
  });

  it('URL-encoded text (Akamai UA): escapes and "+" decoded, malformed escapes kept as written', () => {
    expect(urlDecoded('python-requests%2F2.31.0')).toBe('python-requests/2.31.0');
    expect(urlDecoded('Mozilla%2F5.0+%28iPhone%3B+CPU+iPhone+OS+17_3%29')).toBe('Mozilla/5.0 (iPhone; CPU iPhone OS 17_3)');
    expect(urlDecoded('caf%C3%A9+%E2%9C%93')).toBe('café ✓');
    expect(urlDecoded('a%2Bb')).toBe('a+b');
    expect(urlDecoded('okhttp%2F4.12.0+%ZZ+100%')).toBe('okhttp/4.12.0 %ZZ 100%');
    // Escapes that are not UTF-8 stay as written; the valid characters around them are decoded.
    expect(urlDecoded('x%E2%82')).toBe('x%E2%82');
    expect(urlDecoded('%C3%A9%FF%2F')).toBe('é%FF/');
    expect(urlDecoded('%ED%A0%80')).toBe('%ED%A0%80'); // an encoded lone surrogate
    // Not encoded at all: kept as it is (a literal space says so; its "+" is a "+").
    expect(urlDecoded('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)')).toBe(
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    );
    expect(urlDecoded('curl/8.5.0')).toBe('curl/8.5.0');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(typeof urlDecoded(s)).toBe('string');
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        // Form-encoded as Akamai writes it, the text comes back.
        const enc = encodeURIComponent(s).replace(/%20/g, '+');
        expect(urlDecoded(enc)).toBe(s);
      }),
    );
    const ua = applierFor('userAgent', 'urlEncoded');
    const ev: { userAgent?: string } = {};
    expect([ua(ev, 'curl%2F8.5.0'), ev.userAgent]).toEqual([true, 'curl/8.5.0']);
    expect(ua({}, '-')).toBe(false);
    expect(ua({}, '+%20+')).toBe(false); // decodes to blanks: absent
  });

  it('safeText escapes control characters and cuts long text', () => {
    expect(safeText('a\nb\u001bc')).toBe('a\\nb\\u001bc');
    expect(safeText('x'.repeat(100), 10)).toBe('xxxxxxxxxx…');
  });
});

describe('targets', () => {
  it('splits path from query on the first "?"', () => {
    expect(splitTarget('/a/b?x=1&y=2')).toEqual({ path: '/a/b', query: 'x=1&y=2' });
    expect(splitTarget('/a?b?c')).toEqual({ path: '/a', query: 'b?c' });
    expect(splitTarget('/a?')).toEqual({ path: '/a' });
    expect(splitTarget('/plain')).toEqual({ path: '/plain' });
    // "-" is a log's empty value: with a "?" after it, still no target (a property test's find).
    expect(splitTarget('-?')).toBeUndefined();
    expect(splitTarget('-?a=1')).toBeUndefined();
    expect(splitTarget('-x?a=1')).toEqual({ path: '-x', query: 'a=1' });
  });

  it('splits full URLs into host, path and query', () => {
    expect(splitTarget('https://api.example.com:8443/v1/x?y=1#frag')).toEqual({ host: 'api.example.com:8443', path: '/v1/x', query: 'y=1' });
    expect(splitTarget('http://user:pw@h.example/')).toEqual({ host: 'h.example', path: '/' });
    expect(splitTarget('https://h.example')).toEqual({ host: 'h.example', path: '/' });
    expect(splitTarget('https://h.example?q=1')).toEqual({ host: 'h.example', path: '/', query: 'q=1' });
  });

  it("drops the scheme's own port from the host, and keeps any other", () => {
    expect(splitTarget('https://shop.contoso.com:443/api/orders/1')).toEqual({ host: 'shop.contoso.com', path: '/api/orders/1' });
    expect(splitTarget('HTTP://h.example:80/x')).toEqual({ host: 'h.example', path: '/x' });
    expect(splitTarget('wss://h.example:443/socket')).toEqual({ host: 'h.example', path: '/socket' });
    expect(splitTarget('https://[2001:db8::1]:443/x')).toEqual({ host: '[2001:db8::1]', path: '/x' });
    expect(splitTarget('http://h.example:443/x')).toEqual({ host: 'h.example:443', path: '/x' });
    expect(splitTarget('https://h.example:80/x')).toEqual({ host: 'h.example:80', path: '/x' });
    expect(splitTarget('https://h.example:4430/x')).toEqual({ host: 'h.example:4430', path: '/x' });
    expect(splitTarget('ws://h.example:80/x')).toEqual({ host: 'h.example', path: '/x' });
    expect(splitTarget('ws://h.example:443/x')).toEqual({ host: 'h.example:443', path: '/x' });
  });

  it('request lines', () => {
    expect(splitRequestLine('GET /p?q HTTP/1.1')).toEqual({ method: 'GET', target: '/p?q', protocol: 'HTTP/1.1' });
    expect(splitRequestLine('GET /p with space HTTP/2.0')).toEqual({ method: 'GET', target: '/p with space', protocol: 'HTTP/2.0' });
    expect(splitRequestLine('GET /only')).toEqual({ method: 'GET', target: '/only' });
    expect(splitRequestLine('garbage')).toBeUndefined();
  });

  it('path and query always reassemble to the target', () => {
    fc.assert(
      fc.property(fc.webPath(), fc.option(fc.webQueryParameters(), { nil: undefined }), (p0, q) => {
        const p = p0 || '/';
        const t = splitTarget(p + (q !== undefined ? `?${q}` : ''));
        expect(t?.path).toBe(p);
        expect(t?.query).toBe(q ? q : undefined);
      }),
      { numRuns: 300 },
    );
  });
});

describe('get', () => {
  const rec = {
    'http.request.method': 'GET',
    http: { response: { status_code: 200 } },
    'url.path': '/x',
    user: { 'roles.primary': 'admin' },
    HttpRequest: { RequestMethod: 'POST' },
  };
  it('literal dotted key, nested walk, mixed, case-insensitive', () => {
    expect(get(rec, 'http.request.method')).toBe('GET');
    expect(get(rec, 'http.response.status_code')).toBe(200);
    expect(get(rec, 'user.roles.primary')).toBe('admin');
    expect(get(rec, 'httprequest.requestmethod')).toBe('POST');
    expect(get(rec, 'nope.x')).toBeUndefined();
    expect(resolvePath(rec, 'httprequest.requestmethod')).toEqual(['HttpRequest', 'RequestMethod']);
  });

  it('compiled getters are exact-case and handle all groupings', () => {
    expect(compilePath('http.request.method')(rec)).toBe('GET');
    expect(compilePath('http.response.status_code')(rec)).toBe(200);
    expect(compilePath('user.roles.primary')(rec)).toBe('admin');
    expect(compilePath('httprequest.requestmethod')(rec)).toBeUndefined();
    expect(compilePath('a.b')(null)).toBeUndefined();
    expect(compilePath('a.b.c.d.e.f.g')({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } })).toBe(1);
  });

  it('case-insensitive view', () => {
    const v = caseInsensitiveView({ httprequest: { requestmethod: 'GET' } });
    expect((v.httpRequest as Record<string, unknown>).requestMethod).toBe('GET');
  });
});

describe('auth', () => {
  it('explicit values', () => {
    expect(authFromValue(true)).toBe('success');
    expect(authFromValue('FAILED')).toBe('failure');
    expect(authFromValue(0)).toBe('failure');
    expect(authFromValue('maybe')).toBeUndefined();
  });
  it('derivation: 401/403, 2xx on a login-like path by a submitting method, else unknown', () => {
    expect(deriveAuth(401, '/x', 'GET')).toBe('failure');
    expect(deriveAuth(403, undefined, undefined)).toBe('failure');
    expect(deriveAuth(200, '/api/login', 'POST')).toBe('success');
    expect(deriveAuth(200, '/oauth/token', undefined)).toBe('success');
    expect(deriveAuth(200, '/v1/sessions', 'POST')).toBe('success');
    expect(deriveAuth(200, '/login', 'GET')).toBe('unknown');
    expect(deriveAuth(200, '/authors', 'POST')).toBe('unknown');
    expect(deriveAuth(302, '/login', 'POST')).toBe('unknown');
    expect(deriveAuth(undefined, '/login', 'POST')).toBe('unknown');
  });
});
