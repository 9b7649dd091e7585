import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  cardBrand,
  isAadhaar,
  isCardNumber,
  isValidSsn,
  luhnValid,
  parseJwt,
  verhoeffValid,
} from '../../src/hygiene/validate.js';
import { verhoeffCheckDigit } from '../../src/hygiene/validate.js';
import {
  isPlaceholder,
  keyPrefixLength,
  maskAadhaar,
  maskAuthorization,
  maskCard,
  maskCookieHeader,
  maskKey,
  maskSecret,
  maskSsn,
  maskToken,
  shortHash,
} from '../../src/hygiene/mask.js';
import { HygieneScanner, type Finding } from '../../src/hygiene/scanner.js';
import { classifyKey, KeyClass } from '../../src/hygiene/keys.js';

function scan(raw: unknown): Finding[] {
  const out: Finding[] = [];
  new HygieneScanner().scanRecord(raw, (f) => out.push(f));
  return out;
}

describe('validators', () => {
  it('Luhn on known test card numbers', () => {
    for (const n of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3530111333300000', '4000056655665556']) {
      expect(luhnValid(n), n).toBe(true);
      expect(isCardNumber(n), n).toBe(true);
    }
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('Luhn: changing one digit always breaks it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 }), fc.nat(), fc.integer({ min: 1, max: 9 }), (body, pos, delta) => {
        const s = body.join('');
        let check = -1;
        for (let d = 0; d <= 9; d++) if (luhnValid(s + d)) check = d;
        const full = s + check;
        const i = pos % full.length;
        const changed = full.slice(0, i) + ((Number(full[i]) + delta) % 10) + full.slice(i + 1);
        return luhnValid(full) && !luhnValid(changed);
      }),
    );
  });

  it('card brands by IIN and length', () => {
    expect(cardBrand('4111111111111111')).toBe('visa');
    expect(cardBrand('5555555555554444')).toBe('mastercard');
    expect(cardBrand('2223003122003222')).toBe('mastercard');
    expect(cardBrand('378282246310005')).toBe('amex');
    expect(cardBrand('6011111111111117')).toBe('discover');
    expect(cardBrand('1742032800123')).toBeUndefined(); // an epoch-ms timestamp
    expect(cardBrand('9999999999999995')).toBeUndefined();
  });

  it('Verhoeff: a single wrong digit or an adjacent swap is caught', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 11 }), fc.nat(), (body, pos) => {
        const s = body.join('');
        const full = s + verhoeffCheckDigit(s);
        const i = pos % (full.length - 1);
        const swapped = full[i] === full[i + 1] ? full : full.slice(0, i) + full[i + 1] + full[i] + full.slice(i + 2);
        return verhoeffValid(full) && (swapped === full || !verhoeffValid(swapped));
      }),
    );
  });

  it('Aadhaar: 12 digits, first 2-9, Verhoeff', () => {
    expect(isAadhaar('234567890124')).toBe(true);
    expect(isAadhaar('134567890124')).toBe(false);
    expect(isAadhaar('234567890125')).toBe(false);
    expect(isAadhaar('23456789012')).toBe(false);
  });

  it('SSN invalid ranges and known fakes', () => {
    expect(isValidSsn('536904399')).toBe(true);
    for (const bad of ['000123456', '666123456', '900123456', '999123456', '123004567', '123450000', '078051120', '219099999', '123456789', '111111111']) {
      expect(isValidSsn(bad), bad).toBe(false);
    }
  });

  it('JWT: header and payload must decode to JSON objects; claims only', () => {
    const b = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tok = `${b({ alg: 'RS256', typ: 'JWT' })}.${b({ sub: 'u1', iss: 'https://idp', exp: 1767225600, scope: 'x' })}.c2lnbmF0dXJl`;
    expect(parseJwt(tok)).toEqual({ alg: 'RS256', typ: 'JWT', sub: 'u1', iss: 'https://idp', exp: 1767225600, length: tok.length });
    expect(parseJwt(`${b({ foo: 1 })}.${b({ sub: 'x' })}.sig`)).toBeNull(); // no alg/typ
    expect(parseJwt(`eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24gYXQgYWxs.sig`)).toBeNull();
    expect(parseJwt('eyJ.short.x')).toBeNull();
  });
});

describe('masking', () => {
  it('card: last four only', () => {
    expect(maskCard('4111 1111 1111 1111')).toBe('****1111');
  });
  it('token: kind, length, short hash, never the value', () => {
    const t = 'abcdefghijklmnopqrstuvwxyz012345';
    expect(maskToken(t, 'jwt')).toBe(`[REDACTED jwt len=32 sha256:${shortHash(t)}]`);
    expect(shortHash(t)).toMatch(/^[0-9a-f]{8}$/);
  });
  it('key: at most 8 leading characters, fewer for short keys', () => {
    expect(keyPrefixLength(40)).toBe(8);
    expect(keyPrefixLength(20)).toBe(6);
    expect(keyPrefixLength(9)).toBe(3);
    expect(maskKey('ghp_R7kQ2mX9vB4nL8pT3wZ6yH1jF5dS0aC2eG4u', 'github-token')).toMatch(/^ghp_R7kQ…\[REDACTED github-token len=40 sha256:[0-9a-f]{8}\]$/);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), (k) => {
        const m = maskKey(k);
        return m.startsWith(k.slice(0, keyPrefixLength(k.length))) && keyPrefixLength(k.length) <= 8 && keyPrefixLength(k.length) * 3 <= k.length;
      }),
    );
  });
  it('password, CVV, OTP: nothing of the value', () => {
    expect(maskSecret('password')).toBe('[REDACTED password]');
  });
  it('SSN and Aadhaar: last four', () => {
    expect(maskSsn('536-90-4399')).toBe('***-**-4399');
    expect(maskAadhaar('2345 6789 0124')).toBe('XXXX XXXX 0124');
  });
  it('Authorization keeps the scheme; Basic shows nothing', () => {
    expect(maskAuthorization('Bearer abc.def.ghi')).toMatch(/^Bearer \[REDACTED token len=11 sha256:[0-9a-f]{8}\]$/);
    expect(maskAuthorization('Basic YWxpY2U6cHc=')).toBe('Basic [REDACTED basic-credentials]');
  });
  it('Cookie: names readable, values hashed', () => {
    expect(maskCookieHeader('sid=abc123; theme=dark')).toMatch(/^\[REDACTED cookies\(sid,theme\) len=22 sha256:[0-9a-f]{8}\]$/);
  });
  it('placeholders and masks are not secrets', () => {
    for (const p of ['', '-', 'null', '[REDACTED]', '***', '****1111', 'XXXX XXXX 1234', '<redacted>', maskToken('x', 'jwt')]) {
      expect(isPlaceholder(p), p).toBe(true);
    }
    expect(isPlaceholder('hunter2')).toBe(false);
  });
});

describe('key context', () => {
  it('names are normalised and classified', () => {
    expect(classifyKey('Authorization')).toBe(KeyClass.Authorization);
    expect(classifyKey('X-Api-Key')).toBe(KeyClass.ApiKey);
    expect(classifyKey('new_password')).toBe(KeyClass.Password);
    expect(classifyKey('csrf_token')).toBe(KeyClass.IdLike);
    expect(classifyKey('token_type')).toBe(KeyClass.IdLike);
    expect(classifyKey('card_number')).toBe(KeyClass.Card);
    expect(classifyKey('order_id')).toBe(KeyClass.IdLike);
    expect(classifyKey('cs(Cookie)')).toBe(KeyClass.Cookie);
  });

  it('a bare "pw" holds a password, in a query string and as a field; longer names ending in pw do not', () => {
    const inQuery = scan({ query: 'user=bob&pw=S3cr3tPw' });
    expect(inQuery.map((f) => [f.kind, f.param])).toEqual([['password', 'pw']]);
    expect(scan({ path: '/login?PW=S3cr3tPw' }).map((f) => f.kind)).toEqual(['password']);
    expect(scan({ pw: 'S3cr3tPw' }).map((f) => f.kind)).toEqual(['password']);
    // Not a password name: quiet.
    expect(scan({ query: 'view=S3cr3tPw&hpw=S3cr3tPw&cpw=1' })).toEqual([]);
  });
});

describe('scanner details', () => {
  it('a session id field is reported as session-id (medium), a URL session as session-cookie', () => {
    expect(scan({ session_id: '9cbadc1df96e0dd0b95262bd' }).map((f) => f.kind)).toEqual(['session-id']);
    expect(scan({ url: '/cart;jsessionid=9A8B7C6D5E4F3A2B1C0D' }).map((f) => f.kind)).toEqual(['session-cookie']);
  });

  it('URL userinfo passwords', () => {
    const f = scan({ upstream: 'https://svc:S3cr3tPass@db.internal:5432/x' });
    expect(f.map((x) => [x.kind, x.param])).toEqual([['password', 'url-userinfo']]);
  });

  it('escaped JSON bodies (double-encoded) still reveal passwords', () => {
    expect(scan({ body: '{\\"password\\":\\"hunter22\\"}' }).map((f) => f.kind)).toEqual(['password']);
  });

  it('numbers: CVV and card numbers logged as JSON numbers', () => {
    expect(scan({ payment: { cvv: 123, card_number: 4111111111111111 } }).map((f) => f.kind).sort()).toEqual(['card-number', 'cvv']);
    expect(scan({ order_total: 4111111111111111 }).map((f) => f.kind)).toEqual(['card-number']);
    expect(scan({ order_id: 4111111111111111, ts: 1742032800123 })).toEqual([]);
  });

  it('nested arrays keep the field path with []', () => {
    expect(scan({ items: [{ card: '4111111111111111' }] }).map((f) => f.field)).toEqual(['items[].card']);
  });

  it('header maps with array values (Caddy)', () => {
    expect(scan({ request: { headers: { Authorization: ['Bearer abcdefgh12345678'] } } }).map((f) => [f.kind, f.field])).toEqual([
      ['authorization-header', 'request.headers.Authorization[]'],
    ]);
  });

  it('depth limit is respected and noted', () => {
    let deep: unknown = { password: 'x1234567' };
    for (let i = 0; i < 40; i++) deep = { a: deep };
    const sc = new HygieneScanner({ maxDepth: 16 });
    const out: Finding[] = [];
    sc.scanRecord(deep, (f) => out.push(f));
    expect(out).toEqual([]);
    expect(sc.truncated).toBe(true);
  });

  it('findings serialise with their mask, never the value', () => {
    const f = scan({ query: 'password=CorrectHorse9' });
    expect(JSON.stringify(f)).not.toContain('CorrectHorse9');
    expect(JSON.stringify(f)).toContain('[REDACTED password]');
  });
});
