/**
 * Key context: the name of a JSON key, header, query parameter or form field says what its value is.
 * Names are normalised (lower case, separators dropped) and classified once, then cached.
 */

export const KeyClass = {
  None: 0,
  /**
   * Identifiers, timestamps, counts and names known not to hold secrets (`request_id`, `ts`,
   * `csrf_token`, `access_key_id`...): their values are not scanned for free-text secrets.
   */
  IdLike: 1,
  Authorization: 2,
  Cookie: 3,
  Session: 4,
  Password: 5,
  ApiKey: 6,
  Token: 7,
  /** `code`: an OTP only on reset/verify paths. */
  Code: 8,
  Otp: 9,
  Reset: 10,
  Cvv: 11,
  /**
   * The secret half of a credential pair (`client_secret`, `aws_secret_access_key`, `private_key`):
   * found like an API key, masked like a token, with none of its characters shown (an API key's
   * first characters name its kind; a secret's are only entropy).
   */
  SecretKey: 12,
  Card: 13,
  Ssn: 14,
  Aadhaar: 15,
} as const;
export type KeyClass = (typeof KeyClass)[keyof typeof KeyClass];

const EXACT = new Map<string, KeyClass>([
  ['authorization', KeyClass.Authorization],
  ['proxyauthorization', KeyClass.Authorization],
  ['httpauthorization', KeyClass.Authorization],
  ['cookie', KeyClass.Cookie],
  ['cookies', KeyClass.Cookie],
  ['setcookie', KeyClass.Cookie],
  ['cscookie', KeyClass.Cookie],
  ['httpcookie', KeyClass.Cookie],
  ['requestcookie', KeyClass.Cookie],
  ['sessionid', KeyClass.Session],
  ['sessid', KeyClass.Session],
  ['session', KeyClass.Session],
  ['sid', KeyClass.Session],
  ['jsessionid', KeyClass.Session],
  ['phpsessid', KeyClass.Session],
  ['aspnetsessionid', KeyClass.Session],
  ['connectsid', KeyClass.Session],
  ['sessiontoken', KeyClass.Session],
  ['sessionkey', KeyClass.Session],
  ['password', KeyClass.Password],
  ['passwd', KeyClass.Password],
  ['pwd', KeyClass.Password],
  ['pw', KeyClass.Password],
  ['pass', KeyClass.Password],
  ['passphrase', KeyClass.Password],
  ['passcode', KeyClass.Password],
  ['pin', KeyClass.Password],
  ['apikey', KeyClass.ApiKey],
  ['xapikey', KeyClass.ApiKey],
  ['apisecret', KeyClass.SecretKey],
  ['secret', KeyClass.SecretKey],
  ['clientsecret', KeyClass.SecretKey],
  ['secretkey', KeyClass.SecretKey],
  ['privatekey', KeyClass.SecretKey],
  ['accesskey', KeyClass.ApiKey],
  ['secretaccesskey', KeyClass.SecretKey],
  ['awssecretaccesskey', KeyClass.SecretKey],
  ['signingkey', KeyClass.SecretKey],
  ['key', KeyClass.ApiKey],
  ['token', KeyClass.Token],
  ['accesstoken', KeyClass.Token],
  ['refreshtoken', KeyClass.Token],
  ['idtoken', KeyClass.Token],
  ['authtoken', KeyClass.Token],
  ['xauthtoken', KeyClass.Token],
  ['xaccesstoken', KeyClass.Token],
  ['bearer', KeyClass.Token],
  ['jwt', KeyClass.Token],
  ['oauthtoken', KeyClass.Token],
  ['code', KeyClass.Code],
  ['otp', KeyClass.Otp],
  ['totp', KeyClass.Otp],
  ['otpcode', KeyClass.Otp],
  ['mfacode', KeyClass.Otp],
  ['2facode', KeyClass.Otp],
  ['twofactorcode', KeyClass.Otp],
  ['verificationcode', KeyClass.Otp],
  ['onetimecode', KeyClass.Otp],
  ['onetimepassword', KeyClass.Otp],
  ['smscode', KeyClass.Otp],
  ['authcode', KeyClass.Otp],
  ['resettoken', KeyClass.Reset],
  ['passwordresettoken', KeyClass.Reset],
  ['resetpasswordtoken', KeyClass.Reset],
  ['resetcode', KeyClass.Reset],
  ['resetkey', KeyClass.Reset],
  ['recoverytoken', KeyClass.Reset],
  ['recoverycode', KeyClass.Reset],
  ['cvv', KeyClass.Cvv],
  ['cvv2', KeyClass.Cvv],
  ['cvc', KeyClass.Cvv],
  ['cvc2', KeyClass.Cvv],
  ['csc', KeyClass.Cvv],
  ['cid2', KeyClass.Cvv],
  ['securitycode', KeyClass.Cvv],
  ['cardsecuritycode', KeyClass.Cvv],
  ['cardcvv', KeyClass.Cvv],
  ['cardcvc', KeyClass.Cvv],
  ['cardverificationvalue', KeyClass.Cvv],
  ['cardverificationcode', KeyClass.Cvv],
  ['card', KeyClass.Card],
  ['cardnumber', KeyClass.Card],
  ['cardno', KeyClass.Card],
  ['ccnumber', KeyClass.Card],
  ['ccnum', KeyClass.Card],
  ['creditcard', KeyClass.Card],
  ['creditcardnumber', KeyClass.Card],
  ['pan', KeyClass.Card],
  ['primaryaccountnumber', KeyClass.Card],
  ['ssn', KeyClass.Ssn],
  ['socialsecuritynumber', KeyClass.Ssn],
  ['socialsecurityno', KeyClass.Ssn],
  ['aadhaar', KeyClass.Aadhaar],
  ['aadhar', KeyClass.Aadhaar],
  ['aadhaarnumber', KeyClass.Aadhaar],
  ['aadhaarno', KeyClass.Aadhaar],
  ['uidai', KeyClass.Aadhaar],
]);

/** Names that look secret-bearing but are not (gitleaks' stopwords idea). */
const NOT_SECRET = new Set([
  'csrftoken', 'xsrftoken', 'xcsrftoken', 'xxsrftoken', 'csrf', 'authenticitytoken', 'tokentype', 'keyid', 'apikeyid', 'accesskeyid',
  'publickey', 'apiversion', 'pagetoken', 'nextpagetoken', 'nexttoken', 'continuationtoken', 'synctoken', 'resumetoken',
  'cursortoken', 'paginationtoken', 'idempotencykey', 'cachekey', 'sortkey', 'partitionkey', 'primarykey', 'keyname',
  'tokenexpiry', 'tokenexpiresat', 'expiresin', 'passwordprovided', 'passwordchanged', 'passwordlastset', 'haspassword',
  'tokenvalid', 'authmethod', 'authtype', 'authenticationtype', 'statuscode', 'errorcode', 'countrycode', 'currencycode',
  'zipcode', 'postcode', 'postalcode', 'languagecode', 'responsecode', 'reasoncode', 'areacode', 'promocode', 'couponcode',
  'discountcode', 'productcode', 'httpcode', 'exitcode', 'sessionduration', 'sessioncount', 'sessionstart', 'sessionend',
  'cookieconsent', 'keyboard', 'keyword', 'keywords', 'monkey', 'turkey', 'passenger', 'passport', 'compass', 'bypass',
  'tokens', 'tokencount', 'inputtokens', 'outputtokens', 'totaltokens', 'cardtype', 'cardbrand', 'cardlast4', 'cardexpiry',
  'cardholder', 'cardholdername', 'panel', 'pane', 'codec', 'pin2', 'spin', 'pincode', 'opcode', 'qrcode', 'barcode',
  // CloudTrail AssumeRoleWithWebIdentity: the token's subject ("repo:acme/infra:ref:refs/heads/main"), not the token.
  'subjectfromwebidentitytoken',
]);

function normaliseKey(key: string): string {
  let out = '';
  for (let i = 0; i < key.length && i < 80; i++) {
    const c = key.charCodeAt(i);
    if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
    else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += key[i];
  }
  return out;
}

function classifyNormalised(k: string): KeyClass {
  if (k.length === 0) return KeyClass.None;
  const exact = EXACT.get(k);
  if (exact !== undefined) return exact;
  if (NOT_SECRET.has(k)) return KeyClass.IdLike;
  // Suffix rules: "userPassword", "x-upstream-authorization", "stripe_secret_key", "github_token".
  if (k.endsWith('authorization')) return KeyClass.Authorization;
  if (k.endsWith('password') || k.endsWith('passwd') || k.endsWith('passphrase')) return KeyClass.Password;
  if (k.endsWith('cookie') || k.endsWith('cookies')) return KeyClass.Cookie;
  if (k.startsWith('reset') && (k.endsWith('token') || k.endsWith('code') || k.endsWith('key'))) return KeyClass.Reset;
  if (k.endsWith('sessionid') || k.endsWith('sessid')) return KeyClass.Session;
  if (k.endsWith('otp') || k.endsWith('otpcode') || k.endsWith('mfacode') || k.endsWith('verificationcode')) return KeyClass.Otp;
  if (k.endsWith('secret') || k.endsWith('secretkey') || k.endsWith('privatekey')) return KeyClass.SecretKey;
  if (k.endsWith('apikey')) return KeyClass.ApiKey;
  if (k.endsWith('accesstoken') || k.endsWith('refreshtoken') || k.endsWith('authtoken') || k.endsWith('idtoken') || k.endsWith('bearertoken')) {
    return KeyClass.Token;
  }
  if (k.endsWith('token') && !k.endsWith('pagetoken') && !k.endsWith('nexttoken')) return KeyClass.Token;
  if (k.endsWith('cvv') || k.endsWith('cvc') || k.endsWith('cvv2')) return KeyClass.Cvv;
  if (k.endsWith('cardnumber') || k.endsWith('cardno') || k.endsWith('ccnumber')) return KeyClass.Card;
  if (k.endsWith('ssn')) return KeyClass.Ssn;
  if (k.endsWith('aadhaar') || k.endsWith('aadhar')) return KeyClass.Aadhaar;
  if (
    k === 'id' || k.endsWith('id') || k.endsWith('ids') || k.endsWith('account') || k.endsWith('accountnumber') || k.endsWith('number') ||
    k.endsWith('time') || k.endsWith('timestamp') || k === 'ts' || k.endsWith('date') || k.endsWith('epoch') || k.endsWith('phone') ||
    k.endsWith('msisdn') || k.endsWith('arn') || k.endsWith('seq') || k.endsWith('sequence') || k.endsWith('offset') || k.endsWith('bytes') ||
    k.endsWith('size') || k.endsWith('count') || k.endsWith('duration') || k.endsWith('latency') || k.endsWith('ns') || k.endsWith('ms')
  ) {
    return KeyClass.IdLike;
  }
  return KeyClass.None;
}

const cache = new Map<string, KeyClass>();

/** Classify a key name (JSON key, header name, query parameter). Cached; the cache is bounded. */
export function classifyKey(key: string): KeyClass {
  let c = cache.get(key);
  if (c === undefined) {
    c = classifyNormalised(normaliseKey(key));
    if (cache.size >= 20000) cache.clear();
    cache.set(key, c);
  }
  return c;
}

/** Classes whose value is reported on the strength of the key name alone. */
export function isKeyBased(c: KeyClass): boolean {
  return c >= KeyClass.Authorization && c <= KeyClass.SecretKey;
}
