/**
 * The secrets/PII scanner: walks a raw log record (any JSON value) and reports every secret it finds,
 * with the field it sits in and a span to mask.
 *
 * Cost model (a clean log must be cheap):
 * - key names are classified once and cached (`classifyKey`), and per position in the walk (records
 *   of one log repeat their keys in the same order: one string comparison per key);
 * - values that cannot hold a finding are not looked at (strings under id-like keys, numbers of up
 *   to 11 digits under plain names);
 * - each string is tested by three native regexes (`textFamilies`), one per family, each led by a
 *   narrow first-character set so V8 can skip ahead: a `=`/`:` whose name ends like a
 *   secret-bearing name (and `scheme://u:p@`), a digit run that can hold a card, SSN or Aadhaar
 *   number, and token prefixes (`eyJ`, `AKIA`, `ghp_`, `Bearer `...). They rarely match on clean
 *   text; only a family that matches gets its pass in scanText, where each match runs the
 *   validator at that spot;
 * - long values that repeat (user agents) are remembered per key once found clean;
 * - nothing is allocated for a clean value; masks (hashing) are computed only when a finding's
 *   `masked` is read.
 * Every regex here is linear: bounded repetition only, no nested quantifiers.
 */
import { classifyKey, isKeyBased, KeyClass } from './keys.js';
import type { SecretKind } from './kinds.js';
import {
  isPlaceholder,
  maskAadhaar,
  maskAuthorization,
  maskCard,
  maskCookieHeader,
  maskKey,
  maskSecret,
  maskSsn,
  maskToken,
} from './mask.js';
import { cardBrand, decodeBase64Url, isAadhaar, isValidSsn, luhnValid, parseJwt, type JwtInfo } from './validate.js';

export interface Finding {
  kind: SecretKind;
  /** JSON path of the field, e.g. "request.headers.authorization", "items[].card"; "" for a bare string record. */
  field: string;
  /** The embedded parameter or header name when the secret sat inside a longer string (query, form body, header dump). */
  param?: string;
  /** Span of the secret within the string value (for a number leaf: the whole number). */
  start: number;
  end: number;
  /** Masked form, safe to print (computed on first read). */
  readonly masked: string;
  /** Non-secret facts: JWT claims (sub, iss, exp, alg), card brand, auth scheme, provider. */
  detail?: Record<string, string | number>;
}

/** How a finding's value is masked (see mask.ts). */
const enumMask = {
  Card: 0,
  Token: 1,
  Key: 2,
  Secret: 3,
  Ssn: 4,
  Aadhaar: 5,
  Authorization: 6,
  Cookie: 7,
} as const;
type MaskMode = (typeof enumMask)[keyof typeof enumMask];

/**
 * A finding that keeps the raw value (internal, never serialised: `toJSON` gives the mask) and masks
 * it only when asked.
 */
class ScanFinding implements Finding {
  param?: string;
  detail?: Record<string, string | number>;
  private value: string;
  private mode: MaskMode;
  private label: string;
  private maskedText: string | undefined;
  constructor(
    public kind: SecretKind,
    public field: string,
    public start: number,
    public end: number,
    value: string,
    mode: MaskMode,
    label: string,
  ) {
    this.value = value;
    this.mode = mode;
    this.label = label;
    this.maskedText = undefined;
  }
  get masked(): string {
    if (this.maskedText === undefined) {
      const v = this.value;
      let m: string;
      switch (this.mode) {
        case enumMask.Card:
          m = maskCard(v);
          break;
        case enumMask.Token:
          m = maskToken(v, this.label);
          break;
        case enumMask.Key:
          m = maskKey(v, this.label);
          break;
        case enumMask.Ssn:
          m = maskSsn(v);
          break;
        case enumMask.Aadhaar:
          m = maskAadhaar(v);
          break;
        case enumMask.Authorization:
          m = maskAuthorization(v);
          break;
        case enumMask.Cookie:
          m = maskCookieHeader(v);
          break;
        default:
          m = maskSecret(this.label);
      }
      this.maskedText = m;
      this.value = '';
    }
    return this.maskedText;
  }
  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = { kind: this.kind, field: this.field, start: this.start, end: this.end, masked: this.masked };
    if (this.param !== undefined) o.param = this.param;
    if (this.detail !== undefined) o.detail = this.detail;
    return o;
  }
}

export interface ScanLimits {
  /** Deepest nesting walked. */
  maxDepth: number;
  /** String characters scanned per record; the rest of the record is skipped (and `truncated` set). */
  maxBytes: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxDepth: 16, maxBytes: 256 * 1024 };

/** Last two letters/digits of every secret-bearing name (see keys.ts), any case. */
const NAME_TAILS2 = 'on|ie|es|id|ey|rd|wd|ss|se|de|in|et|en|er|wt|tp|vv|v2|vc|c2|sc|d2|ue|no|um|an|sn|ar|ai|pw';

/**
 * Pass 1, led by `=`/`:`: a separator whose name ends like a secret-bearing name (fixed-size
 * look-behind, evaluated only at separators), or `scheme://user:password@`.
 */
const SEP_RE = new RegExp(`:\\/\\/[^\\s:/@]{1,64}:[^\\s/@]{1,128}@|[=:](?<=(?:${NAME_TAILS2})\\\\?["']?\\s?[=:])`, 'gi');
/**
 * Pass 2, led by a digit at the start of a run (not glued to a letter, `_`, `.` or `-`: hex ids,
 * decimals, UUIDs): 9+ digits, or 4+4, or 3-2-4 (every card, SSN and Aadhaar layout starts so).
 */
// `\d\d\d` rather than `\d{3}`: the same pattern, which V8 scans about twice as fast.
const DIGIT_RE = /(?<![\w.-])\d\d\d(?:\d\d\d\d\d\d|\d[ -]\d\d\d\d|[ -]\d\d[ -]\d\d\d\d)/g;
/** Pass 3: token and key prefixes, PEM armour, auth schemes. */
const PREFIX_RE = /eyJ|AKIA|ASIA|AIza|gh[pousr]_|github_pat_|[sr]k_(?:live|test|prod)_|xox[baprs]-|sk-|-----BEGIN|[Bb]earer\s|BEARER\s|[Bb]asic\s|BASIC\s/g;

/** Last three letters/digits (lower case) of every secret-bearing name (see keys.ts), packed. */
const NAME_TAILS = new Set(
  [
    'ion', 'kie', 'ies', 'nid', 'sid', 'key', 'ord', 'swd', 'pwd', 'ass', 'ase', 'ode', 'pin', 'ret', 'ken', 'rer', 'jwt', 'otp',
    'cvv', 'vv2', 'cvc', 'vc2', 'csc', 'id2', 'lue', 'ard', 'ber', 'dno', 'num', 'pan', 'ssn', 'yno', 'aar', 'har', 'rno', 'dai',
  ]
    .map((t) => (t.charCodeAt(0) << 16) | (t.charCodeAt(1) << 8) | t.charCodeAt(2))
    // Names of two letters, whole: `pw`.
    .concat(['pw'].map((t) => (t.charCodeAt(0) << 8) | t.charCodeAt(1))),
);

const AWS_Y = /(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/y;
const GITHUB_Y = /gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])/y;
const GITHUB_PAT_Y = /github_pat_[A-Za-z0-9_]{82}(?![A-Za-z0-9_])/y;
const STRIPE_Y = /[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,99}(?![A-Za-z0-9])/y;
const SLACK_Y = /xox[baprs]-[A-Za-z0-9-]{10,250}/y;
const GOOGLE_Y = /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y;
// No look-ahead here: a greedy bounded run never backtracks; the boundary is checked in code.
const OPENAI_Y = /sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{32,250}/y;
const PEM_Y = /-----BEGIN [A-Z ]{0,30}PRIVATE KEY-----/y;
const BEARER_Y = /bearer\s{1,5}([A-Za-z0-9._~+/=-]{8,8192})/iy;
const BASIC_Y = /basic\s{1,5}([A-Za-z0-9+/]{8,4096}={0,2})(?![A-Za-z0-9+/=])/iy;

/** Paths on which `token=` is a password-reset token and `code=` a one-time code. */
const RESET_CONTEXT = /reset|forgot|recover/i;
const VERIFY_CONTEXT = /verif|confirm|activat|otp|mfa|2fa|two-factor|magic|passwordless|login|signin|sign-in|auth/i;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 95 || c === 46 || c === 45 || c === 91 || c === 93;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * A `key` that names an object in a bucket: beside `bucketName` or `bucket` (CloudTrail's S3
 * requestParameters, S3 access logs in JSON) or under `object` (S3 event notifications). It is
 * an object's name, searched only for token prefixes (an AKIA... or sk_live_... in it still is one).
 */
function objectStoreKey(obj: Record<string, unknown>, path: readonly string[]): boolean {
  return 'bucketName' in obj || 'bucket' in obj || path[path.length - 1] === 'object';
}

/**
 * An AWS key id named as one inside a larger text: `"accessKeyId":"AKIA…"` in a CloudTrail record
 * kept as a JSON string (LookupEvents' CloudTrailEvent), `AWSAccessKeyId=AKIA…` in a URL. AWS logs
 * key ids so, as it does in fields of that name, which are not reported either.
 */
function namedAccessKeyId(s: string, i: number): boolean {
  let j = i - 1;
  let n = 0;
  for (; j >= 0 && n < 6; j--, n++) {
    const c = s.charCodeAt(j);
    if (c !== 34 && c !== 32 && c !== 58 && c !== 61 && c !== 92) break; // " space : = \
  }
  return j >= 10 && s.slice(j - 10, j + 1).toLowerCase() === 'accesskeyid';
}

/** A file extension ending a value: ".zip", ".tar.gz", ".json". */
const FILE_NAME_END = /\.[A-Za-z][A-Za-z0-9]{0,4}$/;

/** A generic token/key value: long enough and not prose (at least two of upper, lower, digit). */
function looksLikeSecretValue(v: string): boolean {
  if (v.length < 8 || v.length > 8192 || v.indexOf(' ') >= 0) return false;
  if (v.length >= 20) return true;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 48 && c <= 57) digit = 1;
  }
  return upper + lower + digit >= 2;
}

function jwtDetail(info: JwtInfo): Record<string, string | number> {
  const d: Record<string, string | number> = { length: info.length };
  if (info.alg !== undefined) d.alg = info.alg;
  if (info.sub !== undefined) d.sub = info.sub;
  if (info.iss !== undefined) d.iss = info.iss;
  if (info.exp !== undefined) d.exp = info.exp;
  return d;
}

/** Find a JWT inside a value (first `eyJ` that parses). */
function findJwt(v: string): { start: number; end: number; info: JwtInfo } | null {
  let from = 0;
  for (let tries = 0; tries < 4; tries++) {
    const i = v.indexOf('eyJ', from);
    if (i < 0) return null;
    const end = jwtEnd(v, i);
    if (end > 0) {
      const info = parseJwt(v.slice(i, end));
      if (info) return { start: i, end, info };
    }
    from = i + 3;
  }
  return null;
}

/** End of a three-part base64url token starting at i, or -1. */
function jwtEnd(s: string, i: number): number {
  const n = s.length;
  let j = i;
  let dots = 0;
  let partLen = 0;
  const limit = Math.min(n, i + 16384);
  while (j < limit) {
    const c = s.charCodeAt(j);
    if (isAlnum(c) || c === 45 || c === 95) {
      partLen++;
    } else if (c === 46 && dots < 2) {
      if (partLen < 10) return -1;
      dots++;
      partLen = 0;
    } else {
      break;
    }
    j++;
  }
  if (dots < 2) return -1;
  // Strip base64 padding some encoders leave on the signature.
  while (j < n && s.charCodeAt(j) === 61 && j - i < 16400) j++;
  return j;
}

type Sink = (f: Finding) => void;

/**
 * Values of identifier-like keys (request_id, trace_id, api_key_id) are not searched for free-text
 * secrets: ids look like card numbers and tokens. A token with an unambiguous prefix (a JWT, an AWS
 * key id, `sk_live_`, `ghp_`, a Bearer header) is the exception: a request id that holds a JWT is a
 * leaked JWT. Only those are looked for there (PREFIX_TEST, for strings long enough to hold one).
 */
function idMayHoldToken(s: string): boolean {
  return s.length >= 16 && PREFIX_TEST.test(s);
}

/** Long clean values remembered per key (user agents and hosts repeat; ids do not and fall off). */
const RECENT_PER_KEY = 16;
/** Values remembered: at least this long (shorter ones cost little to test)... */
const RECENT_MIN = 24;
/** ...and at most this long (bounds the memory held: 512 keys x RECENT_PER_KEY values). */
const RECENT_MAX = 1024;

/** A key's recently seen clean long values, newest first. */
interface Recent {
  values: string[];
  hits: number;
  misses: number;
  /** Lookups left to skip: the key's values did not repeat lately. */
  off: number;
}

/** Scan every string fully (redaction, single strings). */
const MODE_DIRECT = 0;
/** scanRecord's walk: key-based values and numbers judged; text strings tested, scanned after the walk. */
const MODE_COLLECT = 1;

/** Regex families of scanText: which of its three passes can match in a string. */
const FAM_SEP = 1;
const FAM_PREFIX = 2;
const FAM_DIGIT = 4;
const FAM_ALL = 7;

/**
 * Per-string filters: does a family's regex match anywhere in a string? SEP and DIGIT are the
 * scanText regexes themselves; PREFIX is a superset of PREFIX_RE led by rarer characters (`J`, `_`,
 * `-`, `K`/`S`/`I` after `A`, `B`/`b`), which V8 scans about twice as fast.
 */
const SEP_TEST = new RegExp(SEP_RE.source, 'i');
const PREFIX_TEST = /[J_-](?<=eyJ|gh[pousr]_|github_|[sr]k_|xox[baprs]-|sk-|--)|[KSI](?<=A[KSI])(?:IA|za)|[Bb](?:earer|asic)\s|BEARER\s|BASIC\s/;
const DIGIT_TEST = new RegExp(DIGIT_RE.source);

/** The regex families scanText can match in a string (FAM_*); its length floors apply. */
function textFamilies(s: string): number {
  const n = s.length;
  let f = SEP_TEST.test(s) ? FAM_SEP : 0;
  if (n >= 14 && PREFIX_TEST.test(s)) f |= FAM_PREFIX;
  if (n >= 9 && DIGIT_TEST.test(s)) f |= FAM_DIGIT;
  return f;
}

/** Key names classified per position in the walk (records of one log share their key order). */
const KEY_SLOTS = 256;

export class HygieneScanner {
  /** Set when a record was not fully scanned (depth or size limit). */
  truncated = false;
  private readonly limits: ScanLimits;
  private readonly path: string[] = [];
  private budget = 0;
  private sink: Sink = () => undefined;
  private record: unknown = undefined;
  /** -1 unknown, else bit 1 = reset context, bit 2 = verify context. */
  private recordCtx = -1;
  /** For redaction: findings of the leaf being scanned. */
  private leafFindings: Finding[] | null = null;
  /** Reused by leafStringCollect / leafNumberCollect. */
  private readonly leafList: Finding[] = [];
  private mode = MODE_DIRECT;
  /** Per key, up to RECENT_PER_KEY long values recently found clean. */
  private readonly recent = new Map<string, Recent>();
  /**
   * scanRecord's text strings in walk order: the string and the regex families that can match in it
   * (FAM_*); for those with families, their key class and field path (`pathLen` names from
   * `pathStore[pathAt]`).
   */
  private readonly colStr: string[] = [];
  private readonly colKc: number[] = [];
  private readonly colMask: number[] = [];
  private readonly colPathAt: number[] = [];
  private readonly colPathLen: number[] = [];
  private colN = 0;
  /** Some gathered string needs pass 2. */
  private colDirty = false;
  private readonly pathStore: string[] = [];
  private pathStoreN = 0;
  /** The record the col* lists describe (fully scanned), for a redactCopy of it that follows. */
  private colRecord: unknown = undefined;
  /** redactCopy: next col* entry expected (-1: not following a scanRecord of the same record). */
  private colNext = -1;
  /** Key classes by position of the key in the walk. */
  private readonly slotKey: string[] = new Array<string>(KEY_SLOTS).fill('');
  private readonly slotClass = new Uint8Array(KEY_SLOTS);
  private slot = 0;

  constructor(limits: Partial<ScanLimits> = {}) {
    this.limits = { ...DEFAULT_SCAN_LIMITS, ...limits };
  }

  /** Scan a whole raw record; `sink` receives each finding. */
  scanRecord(raw: unknown, sink: Sink): void {
    this.begin(raw, sink);
    this.colRecord = undefined;
    // Pass 1: key-based values and numbers are judged (and reported) here; other strings are tested
    // for the regex families that can match in them, and kept for pass 2 when one can.
    this.mode = MODE_COLLECT;
    if (this.colStr.length > 1024 && this.colStr.length > 4 * this.colN) this.releaseCol();
    this.colN = 0;
    this.colDirty = false;
    this.pathStoreN = 0;
    this.walk(raw, KeyClass.None, 0);
    this.mode = MODE_DIRECT;
    if (this.colDirty) {
      // Pass 2: each string a family can match in, on its own (so findings name their field), in
      // walk order, with only those families.
      const path = this.path;
      const n = this.colN;
      for (let i = 0; i < n; i++) {
        const mask = this.colMask[i]!;
        if (mask === 0) continue;
        const at = this.colPathAt[i]!;
        const len = this.colPathLen[i]!;
        while (path.length > len) path.pop();
        for (let j = 0; j < len; j++) path[j] = this.pathStore[at + j]!;
        this.coveredN = 0;
        this.scanText(this.colStr[i]!, this.colKc[i] as KeyClass, mask);
      }
      path.length = 0;
    }
    if (!this.truncated) this.colRecord = raw;
    this.record = undefined;
  }

  /** Drops what an earlier, larger record left in the col* lists (its strings would stay referenced). */
  private releaseCol(): void {
    this.colStr.length = 0;
    this.colKc.length = 0;
    this.colMask.length = 0;
    this.colPathAt.length = 0;
    this.colPathLen.length = 0;
    this.pathStore.length = 0;
  }

  /**
   * Mask every finding, copy-on-write: the input is never modified; objects and arrays on the way to
   * a masked value are shallow-copied, unchanged sub-trees are shared with the input. Returns the
   * masked value and the number of values changed.
   */
  redactCopy(raw: unknown, sink?: Sink): { value: unknown; changes: number } {
    // Right after a scanRecord of the same record, its per-string families spare the regex passes.
    const follows = this.colRecord !== undefined && this.colRecord === raw;
    this.begin(raw, sink ?? (() => undefined));
    this.colNext = follows ? 0 : -1;
    this.changes = 0;
    try {
      const value = this.copyWalk(raw, KeyClass.None, 0);
      return { value, changes: this.changes };
    } finally {
      this.colNext = -1;
      this.record = undefined;
    }
  }

  private changes = 0;

  private copyWalk(v: unknown, kc: KeyClass, depth: number): unknown {
    if (typeof v === 'string') {
      const r = this.leafStringCollect(v, kc);
      if (r !== v) this.changes++;
      return r;
    }
    if (typeof v === 'number') {
      const masked = this.leafNumberCollect(v, kc);
      if (masked === null) return v;
      this.changes++;
      return masked;
    }
    if (v === null || typeof v !== 'object') return v;
    if (depth >= this.limits.maxDepth) {
      this.truncated = true;
      return v;
    }
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      this.path.push('[]');
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        const r = this.copyWalk(child, kc, depth + 1);
        if (r !== child) (out ??= v.slice())[i] = r;
      }
      this.path.pop();
      return out ?? v;
    }
    const obj = v as Record<string, unknown>;
    let out: Record<string, unknown> | null = null;
    for (const k in obj) {
      const child = obj[k];
      if (child === null || typeof child === 'boolean' || child === undefined) continue;
      let ckc = this.keyClass(k);
      if (ckc === KeyClass.None && (kc === KeyClass.Cookie || kc === KeyClass.Authorization || kc === KeyClass.Password)) ckc = kc;
      else if (ckc === KeyClass.ApiKey && k === 'key' && objectStoreKey(obj, this.path)) ckc = KeyClass.IdLike;
      // Leaves that cannot hold a finding (see walk).
      if (typeof child === 'string') {
        if (child.length === 0 || (ckc === KeyClass.IdLike && !idMayHoldToken(child))) continue;
      } else if (typeof child === 'number' && ckc <= KeyClass.IdLike && (ckc === KeyClass.IdLike || child < 1e11)) {
        continue;
      }
      this.path.push(k);
      const r = this.copyWalk(child, ckc, depth + 1);
      this.path.pop();
      if (r !== child) (out ??= { ...obj })[k] = r;
    }
    return out ?? obj;
  }

  /** Scan one string as the value of `key` (e.g. a header value); findings have `field` = key. */
  scanString(value: string, key: string, sink: Sink): void {
    this.begin(undefined, sink);
    this.path.push(key);
    this.leafString(value, classifyKey(key));
    this.path.pop();
  }

  private begin(raw: unknown, sink: Sink): void {
    this.record = raw;
    this.recordCtx = -1;
    this.sink = sink;
    this.budget = this.limits.maxBytes;
    if (this.path.length !== 0) this.path.length = 0;
    this.truncated = false;
    this.slot = 0;
  }

  /** A key's class, from the key seen at the same position of the previous record when it is the same. */
  private keyClass(k: string): KeyClass {
    const i = this.slot++;
    if (i >= KEY_SLOTS) return classifyKey(k);
    if (this.slotKey[i] === k) return this.slotClass[i] as KeyClass;
    const c = classifyKey(k);
    this.slotKey[i] = k;
    this.slotClass[i] = c;
    return c;
  }

  private walk(v: unknown, kc: KeyClass, depth: number): void {
    if (typeof v === 'string') {
      this.leafString(v, kc);
      return;
    }
    if (typeof v === 'number') {
      this.leafNumber(v, kc);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (depth >= this.limits.maxDepth) {
      this.truncated = true;
      return;
    }
    if (Array.isArray(v)) {
      this.path.push('[]');
      for (let i = 0; i < v.length; i++) {
        if (this.budget < 0) break;
        this.walk(v[i], kc, depth + 1);
      }
      this.path.pop();
      return;
    }
    const obj = v as Record<string, unknown>;
    for (const k in obj) {
      const child = obj[k];
      if (child === null || typeof child === 'boolean' || child === undefined) continue;
      if (this.budget < 0) break;
      let ckc = this.keyClass(k);
      if (ckc === KeyClass.None && (kc === KeyClass.Cookie || kc === KeyClass.Authorization || kc === KeyClass.Password)) ckc = kc;
      else if (ckc === KeyClass.ApiKey && k === 'key' && objectStoreKey(obj, this.path)) ckc = KeyClass.IdLike;
      if (typeof child === 'string') {
        // leafString does nothing with these.
        if (child.length === 0 || (ckc === KeyClass.IdLike && !idMayHoldToken(child))) continue;
        this.path.push(k);
        this.leafString(child, ckc);
        this.path.pop();
        continue;
      }
      // leafNumber does nothing with these (ids, counts, numbers of up to 11 digits under a plain name).
      if (typeof child === 'number' && ckc <= KeyClass.IdLike && (ckc === KeyClass.IdLike || child < 1e11)) continue;
      this.path.push(k);
      this.walk(child, ckc, depth + 1);
      this.path.pop();
    }
  }

  /** Scan a string leaf and return it with every finding masked (the same string when clean). */
  private leafStringCollect(s: string, kc: KeyClass): string {
    const outer = this.leafFindings;
    const found = outer === null ? this.leafList : [];
    if (found.length !== 0) found.length = 0;
    this.leafFindings = found;
    try {
      this.leafString(s, kc);
    } finally {
      this.leafFindings = outer;
    }
    if (found.length === 0) return s;
    const masked = applyMasks(s, found);
    found.length = 0;
    return masked;
  }

  /** Scan a number leaf; returns the mask to put in its place, or null when clean. */
  private leafNumberCollect(v: number, kc: KeyClass): string | null {
    const outer = this.leafFindings;
    const found = outer === null ? this.leafList : [];
    if (found.length !== 0) found.length = 0;
    this.leafFindings = found;
    try {
      this.leafNumber(v, kc);
    } finally {
      this.leafFindings = outer;
    }
    if (found.length === 0) return null;
    const masked = found[0]!.masked;
    found.length = 0;
    return masked;
  }

  private fieldPath(): string {
    const path = this.path;
    if (path.length === 1) return path[0]!;
    let out = '';
    for (const p of path) {
      if (p === '[]') out += '[]';
      else out += out.length === 0 ? p : `.${p}`;
    }
    return out;
  }

  /** Spans already reported in the current string (later passes skip hits inside them): [start, end) pairs. */
  private readonly covered: number[] = [];
  private coveredN = 0;

  private isCovered(pos: number): boolean {
    const c = this.covered;
    for (let i = 0; i < this.coveredN; i += 2) if (pos >= c[i]! && pos < c[i + 1]!) return true;
    return false;
  }

  private emit(
    kind: SecretKind,
    start: number,
    end: number,
    value: string,
    mode: MaskMode,
    label: string,
    param: string | undefined,
    detail?: Record<string, string | number>,
  ): void {
    const f = new ScanFinding(kind, this.fieldPath(), start, end, value, mode, label);
    if (param !== undefined) f.param = param;
    if (detail !== undefined) f.detail = detail;
    this.covered[this.coveredN++] = start;
    this.covered[this.coveredN++] = end;
    if (this.leafFindings) this.leafFindings.push(f);
    this.sink(f);
  }

  private leafString(s: string, kc: KeyClass): void {
    const n = s.length;
    if (n === 0 || (kc === KeyClass.IdLike && !idMayHoldToken(s))) return;
    this.budget -= n;
    if (this.budget < 0) {
      this.truncated = true;
      return;
    }
    this.coveredN = 0;
    if (kc >= KeyClass.Authorization) {
      // Key-based (Authorization..Cvv) or Card/Ssn/Aadhaar.
      const done = isKeyBased(kc) ? this.keyFinding(s, kc, 0, n, undefined) : this.contextDigits(s, kc, 0, n, undefined);
      if (done) return;
    }
    if (n < 7) return;
    if (this.mode === MODE_COLLECT) {
      this.collect(s, kc);
      return;
    }
    const mask = (this.colNext >= 0 ? this.knownFamilies(s) : FAM_ALL) & (kc === KeyClass.IdLike ? FAM_PREFIX : FAM_ALL);
    if (mask !== 0) this.scanText(s, kc, mask);
  }

  /** scanRecord's walk: a text string's families; kept for pass 2 when one can match. */
  private collect(s: string, kc: KeyClass): void {
    const i = this.colN++;
    const path = this.path;
    const depth = path.length;
    this.colStr[i] = s;
    // Long values that repeat (user agents, hosts, referers) are remembered per key once found clean.
    let r: Recent | undefined;
    if (s.length >= RECENT_MIN && s.length <= RECENT_MAX) {
      const key = depth > 0 ? path[depth - 1]! : '';
      r = this.recent.get(key);
      if (r === undefined) {
        if (this.recent.size >= 512) this.recent.clear();
        this.recent.set(key, (r = { values: [], hits: 0, misses: 0, off: 0 }));
      } else if (this.seenClean(r, s)) {
        this.colMask[i] = 0;
        return;
      }
    }
    // An identifier-like key (request_id, api_key_id) is searched for token prefixes only.
    const mask = kc === KeyClass.IdLike ? textFamilies(s) & FAM_PREFIX : textFamilies(s);
    this.colMask[i] = mask;
    if (mask === 0) {
      if (r !== undefined && r.off === 0) {
        // Newest first; the oldest falls off.
        const list = r.values;
        if (list.length >= RECENT_PER_KEY) list.pop();
        list.unshift(s);
      }
      return;
    }
    // Scanned after the walk (pass 2), with its key class and field path.
    this.colKc[i] = kc;
    const at = this.pathStoreN;
    for (let j = 0; j < depth; j++) this.pathStore[at + j] = path[j]!;
    this.pathStoreN = at + depth;
    this.colPathAt[i] = at;
    this.colPathLen[i] = depth;
    this.colDirty = true;
  }

  /** Whether `s` is among the key's recent clean values (a key whose values do not repeat is skipped for a while). */
  private seenClean(r: Recent, s: string): boolean {
    if (r.off > 0) {
      r.off--;
      return false;
    }
    const list = r.values;
    for (let j = 0; j < list.length; j++) {
      if (list[j] === s) {
        r.hits++;
        return true;
      }
    }
    if (++r.misses >= 256) {
      if (r.hits < 32) {
        r.off = 4096;
        list.length = 0;
      }
      r.hits = 0;
      r.misses = 0;
    }
    return false;
  }

  /** redactCopy after scanRecord of the same record: the families of the next gathered string. */
  private knownFamilies(s: string): number {
    const i = this.colNext;
    if (i < this.colN && this.colStr[i] === s) {
      this.colNext = i + 1;
      return this.colMask[i]!;
    }
    // Out of step (cannot happen for an unchanged record): scan everything from here on.
    this.colNext = -1;
    return FAM_ALL;
  }

  private leafNumber(v: number, kc: KeyClass): void {
    if (!Number.isSafeInteger(v) || v < 0) return;
    this.coveredN = 0;
    switch (kc) {
      case KeyClass.Cvv:
        if (v <= 9999) this.emit('cvv', 0, String(v).length, '', enumMask.Secret, 'cvv', undefined);
        return;
      case KeyClass.Password:
        this.emit('password', 0, String(v).length, '', enumMask.Secret, 'password', undefined);
        return;
      case KeyClass.Otp:
        if (v >= 100 && v <= 9999999999) this.emit('otp-code', 0, String(v).length, '', enumMask.Secret, 'otp-code', undefined);
        return;
      case KeyClass.Code:
        if (v >= 1000 && v <= 99999999 && this.contextFlags('') & 2) {
          this.emit('otp-code', 0, String(v).length, '', enumMask.Secret, 'otp-code', undefined);
        }
        return;
      default:
        break;
    }
    if (v < 1e8 || kc === KeyClass.IdLike) return;
    if (kc === KeyClass.Card || kc === KeyClass.Ssn || kc === KeyClass.Aadhaar) {
      const s = String(v);
      this.contextDigits(s, kc, 0, s.length, undefined);
      return;
    }
    // A bare run of up to 11 digits is no card (13+) or Aadhaar (12), and a 9-digit SSN needs an SSN key.
    if (v < 1e11) return;
    this.digitRun(String(v), 0, kc);
  }

  /** Reset (bit 1) / verify (bit 2) context from the string itself or, failing that, the record's URL fields. */
  private contextFlags(s: string): number {
    let f = 0;
    if (s.length > 0) {
      const q = s.indexOf('?');
      const head = q >= 0 ? s.slice(0, q) : s.length > 512 ? s.slice(0, 512) : s;
      if (RESET_CONTEXT.test(head)) f |= 1;
      if (VERIFY_CONTEXT.test(head)) f |= 2;
    }
    if (this.recordCtx < 0) this.recordCtx = recordContext(this.record);
    return f | this.recordCtx;
  }

  /** A value reported because of its key. Returns true when a finding was emitted. */
  private keyFinding(s: string, kc: KeyClass, start: number, end: number, param: string | undefined): boolean {
    // Trim surrounding whitespace and quotes from the span.
    while (start < end && (isSpace(s.charCodeAt(start)) || s.charCodeAt(start) === 34)) start++;
    while (end > start && (isSpace(s.charCodeAt(end - 1)) || s.charCodeAt(end - 1) === 34)) end--;
    if (end <= start) return false;
    const v = start === 0 && end === s.length ? s : s.slice(start, end);
    if (isPlaceholder(v)) return false;
    switch (kc) {
      case KeyClass.Authorization: {
        const m = /^\s*([A-Za-z][A-Za-z0-9_-]{0,30})\s/.exec(v);
        const detail: Record<string, string | number> = { scheme: m ? m[1]!.toLowerCase() : 'unknown', length: v.length };
        const jwt = findJwt(v);
        if (jwt) Object.assign(detail, jwtDetail(jwt.info), { scheme: detail.scheme });
        this.emit('authorization-header', start, end, v, enumMask.Authorization, '', param, detail);
        return true;
      }
      case KeyClass.Cookie:
        this.emit('cookie-header', start, end, v, enumMask.Cookie, '', param, { cookies: cookieNames(v) });
        return true;
      case KeyClass.Session: {
        if (v.length < 8) return false;
        // Only a JWT that is the whole value counts (one starting later is no match either).
        const jwt = v.startsWith('eyJ') ? findJwt(v) : null;
        if (jwt && jwt.start === 0 && jwt.end === v.length) {
          this.emit('jwt', start, end, v, enumMask.Token, 'jwt', param, jwtDetail(jwt.info));
          return true;
        }
        if (!looksLikeSecretValue(v)) return false;
        // A session id in a URL or cookie string is the session cookie itself; a dedicated field may be an opaque id.
        if (param === undefined) this.emit('session-id', start, end, v, enumMask.Token, 'session', param);
        else this.emit('session-cookie', start, end, v, enumMask.Token, 'session', param);
        return true;
      }
      case KeyClass.Password:
        this.emit('password', start, end, '', enumMask.Secret, 'password', param);
        return true;
      case KeyClass.ApiKey:
      case KeyClass.SecretKey: {
        // A file name is no key: S3's object `key` ("builds/0617.zip"), a `key` naming an upload.
        // Key and secret alphabets (base64, hex, base62, provider prefixes) have no dot.
        if (!looksLikeSecretValue(v) || FILE_NAME_END.test(v)) return false;
        const provider = providerKind(v);
        // A provider's key keeps its telling prefix (sk_live_…); a secret under a secret's name none.
        const mode = kc === KeyClass.SecretKey && provider === undefined ? enumMask.Token : enumMask.Key;
        this.emit(provider ?? 'api-key', start, end, v, mode, provider ?? 'api-key', param);
        return true;
      }
      case KeyClass.Token: {
        if (v.length < 8) return false;
        const jwt = findJwt(v);
        if (jwt && jwt.start <= 7 /* "Bearer " */) {
          this.emit('jwt', start, end, v, enumMask.Token, 'jwt', param, jwtDetail(jwt.info));
          return true;
        }
        if (!looksLikeSecretValue(v)) return false;
        if (this.contextFlags(s === v ? '' : s) & 1) {
          this.emit('reset-token', start, end, v, enumMask.Token, 'reset-token', param);
          return true;
        }
        const provider = providerKind(v);
        if (provider) this.emit(provider, start, end, v, enumMask.Key, provider, param);
        else this.emit('access-token', start, end, v, enumMask.Token, 'token', param);
        return true;
      }
      case KeyClass.Reset:
        if (v.length < 4) return false;
        this.emit('reset-token', start, end, v, enumMask.Token, 'reset-token', param);
        return true;
      case KeyClass.Code: {
        const ctx = this.contextFlags(s === v ? '' : s);
        if (ctx === 0) return false;
        if (/^[A-Za-z0-9]{4,10}$/.test(v) && /\d/.test(v)) {
          this.emit('otp-code', start, end, '', enumMask.Secret, 'otp-code', param);
          return true;
        }
        if (ctx & 1 && v.length >= 16 && looksLikeSecretValue(v)) {
          this.emit('reset-token', start, end, v, enumMask.Token, 'reset-token', param);
          return true;
        }
        return false;
      }
      case KeyClass.Otp:
        if (!/^[A-Za-z0-9]{4,12}$/.test(v)) return false;
        this.emit('otp-code', start, end, '', enumMask.Secret, 'otp-code', param);
        return true;
      case KeyClass.Cvv:
        if (!/^\d{3,4}$/.test(v)) return false;
        this.emit('cvv', start, end, '', enumMask.Secret, 'cvv', param);
        return true;
      default:
        return false;
    }
  }

  /** A value under a card/SSN/Aadhaar key: digits with separators only, validated with relaxed layout rules. */
  private contextDigits(s: string, kc: KeyClass, start: number, end: number, param: string | undefined): boolean {
    while (start < end && (isSpace(s.charCodeAt(start)) || s.charCodeAt(start) === 34)) start++;
    while (end > start && (isSpace(s.charCodeAt(end - 1)) || s.charCodeAt(end - 1) === 34)) end--;
    const len = end - start;
    if (len < 9 || len > 23) return false;
    let digits = '';
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i);
      if (isDigit(c)) digits += s[i];
      else if (c !== 32 && c !== 45 && c !== 46) return false;
    }
    if (kc === KeyClass.Card && digits.length >= 12 && digits.length <= 19 && luhnValid(digits)) {
      const brand = cardBrand(digits);
      this.emit('card-number', start, end, digits, enumMask.Card, '', param, brand ? { brand } : undefined);
      return true;
    }
    if (kc === KeyClass.Ssn && isValidSsn(digits)) {
      this.emit('ssn', start, end, digits, enumMask.Ssn, '', param);
      return true;
    }
    if (kc === KeyClass.Aadhaar && isAadhaar(digits)) {
      this.emit('aadhaar', start, end, digits, enumMask.Aadhaar, '', param);
      return true;
    }
    return false;
  }

  /**
   * The three passes over a string: named values, then token prefixes, then digit runs. `families`
   * (FAM_*) skips the passes whose regex is known not to match anywhere in the string.
   */
  private scanText(s: string, kc: KeyClass, families: number): void {
    const n = s.length;
    let re = SEP_RE;
    if (families & FAM_SEP) {
      re.lastIndex = 0;
      while (re.test(s)) {
        const end = re.lastIndex;
        const next = s.charCodeAt(end - 1) === 64 /* @ */ ? this.userinfo(s, s.lastIndexOf('://', end - 2), end - 1) : this.namedValue(s, end - 1);
        re.lastIndex = next > end ? next : end;
      }
    }
    if (n >= 14 && families & FAM_PREFIX) {
      re = PREFIX_RE;
      re.lastIndex = 0;
      while (re.test(s)) {
        const end = re.lastIndex;
        const next = this.prefixHit(s, end);
        re.lastIndex = next > end ? next : end;
      }
    }
    if (n >= 9 && families & FAM_DIGIT) {
      re = DIGIT_RE;
      re.lastIndex = 0;
      while (re.test(s)) {
        const end = re.lastIndex;
        // Back to the start of the digit run (digits with single spaces/dashes between).
        let i = end - 9;
        while (i > 0) {
          const c = s.charCodeAt(i - 1);
          if (isDigit(c)) i--;
          else if ((c === 32 || c === 45) && i > 1 && isDigit(s.charCodeAt(i - 2))) i--;
          else break;
        }
        while (!isDigit(s.charCodeAt(i))) i++;
        const next = this.isCovered(i) ? end : this.digitRun(s, i, kc);
        re.lastIndex = next > end ? next : end;
      }
    }
  }

  /** A token prefix matched, ending at `end`; returns where scanning resumes. */
  private prefixHit(s: string, end: number): number {
    const last = s.charCodeAt(end - 1);
    let start: number;
    let re: RegExp;
    if (last === 32 || last === 9 || last === 10 || last === 13) {
      // "bearer " (7) / "basic " (6)
      start = (s.charCodeAt(end - 2) | 32) === 114 ? end - 7 : end - 6;
    } else {
      switch (last) {
        case 74 /* eyJ */:
          start = end - 3;
          break;
        case 65 /* AKIA, ASIA */:
        case 97 /* AIza */:
        case 78 /* -----BEGIN */:
          start = last === 78 ? end - 10 : end - 4;
          break;
        case 95 /* _ */:
          start = s.charCodeAt(end - 2) === 116 ? end - 11 : s.charCodeAt(end - 4) === 103 ? end - 4 : end - 8;
          break;
        case 45 /* - */:
          start = s.charCodeAt(end - 2) === 107 /* sk- */ ? end - 3 : end - 5;
          break;
        default:
          return end;
      }
    }
    if (start < 0 || this.isCovered(start)) return end;
    const prev = start > 0 ? s.charCodeAt(start - 1) : 0;
    if (isAlnum(prev)) return end;
    switch (last) {
      case 74:
        return this.jwtAt(s, start);
      case 78:
        return this.pem(s, start);
      case 65:
        re = AWS_Y;
        break;
      case 97:
        re = GOOGLE_Y;
        break;
      case 95:
        re = s.charCodeAt(end - 2) === 116 ? GITHUB_PAT_Y : s.charCodeAt(end - 4) === 103 ? GITHUB_Y : STRIPE_Y;
        break;
      case 45:
        re = s.charCodeAt(end - 2) === 107 ? OPENAI_Y : SLACK_Y;
        break;
      default:
        return (s.charCodeAt(start + 1) | 32) === 101 ? this.bearer(s, start) : this.basic(s, start);
    }
    return this.provider(s, start, re);
  }

  /** `scheme://user:password@host`: the password part. */
  private userinfo(s: string, i: number, at: number): number {
    if (i < 0) return at + 1;
    const colon = s.indexOf(':', i + 3);
    if (colon < 0 || colon >= at) return at + 1;
    const pw = s.slice(colon + 1, at);
    if (isPlaceholder(pw) || /^\*+$/.test(pw)) return at + 1;
    this.emit('password', colon + 1, at, '', enumMask.Secret, 'password', 'url-userinfo');
    return at + 1;
  }

  private jwtAt(s: string, i: number): number {
    const end = jwtEnd(s, i);
    if (end < 0) return i + 3;
    const tok = s.slice(i, end);
    const info = parseJwt(tok);
    // Not a JWT: skip the whole candidate (a token cannot start inside it).
    if (!info) return end;
    this.emit('jwt', i, end, tok, enumMask.Token, 'jwt', undefined, jwtDetail(info));
    return end;
  }

  private provider(s: string, i: number, re: RegExp): number {
    re.lastIndex = i;
    if (!re.test(s)) return i + 1;
    const end = re.lastIndex;
    const v = s.slice(i, end);
    let kind: SecretKind;
    if (re === AWS_Y) {
      if (namedAccessKeyId(s, i)) return end;
      kind = 'aws-access-key';
    } else if (re === GITHUB_Y || re === GITHUB_PAT_Y) kind = 'github-token';
    else if (re === STRIPE_Y) kind = 'stripe-key';
    else if (re === SLACK_Y) {
      if (!/\d/.test(v)) return end;
      kind = 'slack-token';
    } else if (re === GOOGLE_Y) kind = 'google-api-key';
    else {
      if (isAlnum(s.charCodeAt(end)) || s.charCodeAt(end) === 45 || s.charCodeAt(end) === 95) return end;
      if (!/[A-Z]/.test(v) || !/[a-z]/.test(v) || !/\d/.test(v)) return end;
      kind = 'openai-key';
    }
    this.emit(kind, i, end, v, enumMask.Key, kind, undefined);
    return end;
  }

  private pem(s: string, i: number): number {
    PEM_Y.lastIndex = i;
    if (!PEM_Y.test(s)) return i + 1;
    const endMarker = s.indexOf('PRIVATE KEY-----', PEM_Y.lastIndex);
    const end = endMarker >= 0 ? endMarker + 16 : Math.min(s.length, PEM_Y.lastIndex + 8192);
    this.emit('private-key', i, end, '', enumMask.Secret, 'private-key', undefined);
    return end;
  }

  private bearer(s: string, i: number): number {
    BEARER_Y.lastIndex = i;
    const m = BEARER_Y.exec(s);
    if (!m) return i + 1;
    const tok = m[1]!;
    const end = BEARER_Y.lastIndex;
    const start = end - tok.length;
    const info = tok.startsWith('eyJ') ? parseJwt(tok) : null;
    if (info) this.emit('jwt', start, end, tok, enumMask.Token, 'jwt', undefined, jwtDetail(info));
    else if (looksLikeSecretValue(tok)) this.emit('bearer-token', start, end, tok, enumMask.Token, 'token', undefined);
    return end;
  }

  private basic(s: string, i: number): number {
    BASIC_Y.lastIndex = i;
    const m = BASIC_Y.exec(s);
    if (!m) return i + 1;
    const cred = m[1]!;
    const end = BASIC_Y.lastIndex;
    const decoded = decodeBase64Url(cred);
    if (decoded === null || decoded.indexOf(':') <= 0 || /[\u0000-\u001f]/.test(decoded)) return end;
    this.emit('basic-credentials', end - cred.length, end, '', enumMask.Secret, 'basic-credentials', undefined);
    return end;
  }

  /** `name=value` or `"name": value` inside a string (query, form body, JSON body, header dump). */
  private namedValue(s: string, sep: number): number {
    const n = s.length;
    // Name: back from the separator over up to 3 spaces, a quote and a backslash, then name characters.
    let ne = sep;
    while (ne > 0 && sep - ne < 3 && isSpace(s.charCodeAt(ne - 1))) ne--;
    if (ne > 0 && (s.charCodeAt(ne - 1) === 34 || s.charCodeAt(ne - 1) === 39)) ne--;
    if (ne > 0 && s.charCodeAt(ne - 1) === 92) ne--;
    // Cheap filter: the name's last three letters/digits must end a secret-bearing name.
    let tail = 0;
    let got = 0;
    for (let j = ne - 1; j >= 0 && got < 3 && ne - j <= 6; j--) {
      const c = s.charCodeAt(j);
      if (isAlnum(c)) {
        tail |= (c >= 65 && c <= 90 ? c + 32 : c) << (8 * got);
        got++;
      } else if (c !== 95 && c !== 45 && c !== 46) {
        break;
      }
    }
    // A whole name of two letters (`pw=`) is packed as its last two; a longer one by its last three.
    if (got < 2 || !NAME_TAILS.has(tail)) return sep + 1;
    let ns = ne;
    while (ns > 0 && ne - ns < 48 && isNameChar(s.charCodeAt(ns - 1))) ns--;
    const name = s.slice(ns, ne);
    const kc = classifyKey(name);
    if (!isKeyBased(kc) && kc !== KeyClass.Card && kc !== KeyClass.Ssn && kc !== KeyClass.Aadhaar) return sep + 1;
    const sepChar = s.charCodeAt(sep);
    // Value span.
    let vs = sep + 1;
    if (sepChar === 58) while (vs < n && (s.charCodeAt(vs) === 32 || s.charCodeAt(vs) === 9)) vs++;
    let ve: number;
    let q = s.charCodeAt(vs);
    let escaped = false;
    if (q === 92 && (s.charCodeAt(vs + 1) === 34 || s.charCodeAt(vs + 1) === 39)) {
      escaped = true;
      vs++;
      q = s.charCodeAt(vs);
    }
    if (q === 34 || q === 39) {
      vs++;
      ve = vs;
      const limit = Math.min(n, vs + 16384);
      while (ve < limit) {
        const c = s.charCodeAt(ve);
        if (c === q && (escaped ? s.charCodeAt(ve - 1) === 92 : s.charCodeAt(ve - 1) !== 92)) break;
        ve++;
      }
      if (escaped && ve > vs && s.charCodeAt(ve - 1) === 92) ve--;
    } else {
      ve = vs;
      const headerLike = sepChar === 58 && (kc === KeyClass.Authorization || kc === KeyClass.Cookie);
      const limit = Math.min(n, vs + 16384);
      while (ve < limit) {
        const c = s.charCodeAt(ve);
        if (headerLike) {
          if (c === 10 || c === 13 || c === 34) break;
        } else if (c === 38 || c === 59 || c === 35 || c === 44 || c === 125 || c === 34 || c === 39 || isSpace(c)) {
          break;
        } else if (c === 92 && (s.charCodeAt(ve + 1) === 34 || s.charCodeAt(ve + 1) === 110)) {
          break;
        }
        ve++;
      }
    }
    if (ve <= vs) return sep + 1;
    const found =
      kc === KeyClass.Card || kc === KeyClass.Ssn || kc === KeyClass.Aadhaar
        ? this.contextDigits(s, kc, vs, ve, name)
        : this.keyFinding(s, kc, vs, ve, name);
    return found ? ve : sep + 1;
  }

  /** A run of digits (single spaces or dashes allowed between digits) starting at i. */
  private digitRun(s: string, i: number, kc: KeyClass): number {
    const n = s.length;
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    let j = i;
    let count = 0;
    let sep = -1;
    let mixed = false;
    let groups = 0;
    let groupLen = 0;
    let minGroup = 99;
    let g1 = 0;
    let g2 = 0;
    let g3 = 0;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (isDigit(c)) {
        count++;
        groupLen++;
        j++;
      } else if ((c === 32 || c === 45) && count > 0 && j + 1 < n && isDigit(s.charCodeAt(j + 1))) {
        if (sep === -1) sep = c;
        else if (sep !== c) mixed = true;
        groups++;
        if (groups === 1) g1 = groupLen;
        else if (groups === 2) g2 = groupLen;
        if (groupLen < minGroup) minGroup = groupLen;
        groupLen = 0;
        j++;
      } else {
        break;
      }
      if (count > 24) {
        // Far too long for any identifier we look for: skip the rest of the run.
        while (j < n && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 32 || s.charCodeAt(j) === 45)) j++;
        return j;
      }
    }
    groups++;
    if (groups === 1) g1 = groupLen;
    else if (groups === 2) g2 = groupLen;
    else if (groups === 3) g3 = groupLen;
    const end = j;
    // Boundaries: not glued to letters/digits, not the fraction of a decimal, not inside an ARN (":123:").
    if (isAlnum(prev) || prev === 95 || (prev === 46 && i > 1 && isDigit(s.charCodeAt(i - 2)))) return end;
    const next = end < n ? s.charCodeAt(end) : 0;
    if (isAlnum(next) || next === 95 || (next === 46 && end + 1 < n && isDigit(s.charCodeAt(end + 1)))) return end;
    if (mixed) return end;
    // Glued to a dash-separated token (UUIDs, GUIDs, ISBNs, dates): not a card, SSN or Aadhaar.
    if (prev === 45 || next === 45) return end;
    const contiguous = sep === -1;
    if (contiguous && kc === KeyClass.IdLike) return end;
    if (contiguous && (prev === 58 || next === 58)) return end;
    const raw = s.slice(i, end);
    if (count >= 13 && count <= 19) {
      // Grouped cards: 4-4-4-4, 4-6-5, 4-6-4, 4-4-4-4-3.
      if (!contiguous && (groups < 3 || groups > 5 || minGroup < 3 || groupLen < 1)) return end;
      const digits = contiguous ? raw : raw.replace(/[ -]/g, '');
      const brand = cardBrand(digits);
      if (brand !== undefined && luhnValid(digits)) this.emit('card-number', i, end, digits, enumMask.Card, '', undefined, { brand });
      return end;
    }
    if (count === 12) {
      // A bare 12-digit run in free text is an id, a cursor or a timestamp far more often than an
      // Aadhaar number (one in ten random runs passes Verhoeff): only the 4-4-4 layout counts here,
      // and a bare run only under an Aadhaar key (contextDigits), as a bare 9-digit SSN does.
      if (contiguous || !(groups === 3 && g1 === 4 && g2 === 4)) return end;
      const digits = contiguous ? raw : raw.replace(/[ -]/g, '');
      if (isAadhaar(digits)) this.emit('aadhaar', i, end, digits, enumMask.Aadhaar, '', undefined);
      return end;
    }
    if (count === 9) {
      const layout = !contiguous && groups === 3 && g1 === 3 && g2 === 2 && g3 === 4;
      if (!layout && !(contiguous && kc === KeyClass.Ssn)) return end;
      const digits = contiguous ? raw : raw.replace(/[ -]/g, '');
      if (isValidSsn(digits)) this.emit('ssn', i, end, digits, enumMask.Ssn, '', undefined);
      return end;
    }
    return end;
  }
}

function providerKind(v: string): SecretKind | undefined {
  const checks: Array<[RegExp, SecretKind]> = [
    [AWS_Y, 'aws-access-key'],
    [GITHUB_Y, 'github-token'],
    [GITHUB_PAT_Y, 'github-token'],
    [STRIPE_Y, 'stripe-key'],
    [SLACK_Y, 'slack-token'],
    [GOOGLE_Y, 'google-api-key'],
    [OPENAI_Y, 'openai-key'],
  ];
  for (const [re, kind] of checks) {
    re.lastIndex = 0;
    if (re.test(v) && re.lastIndex === v.length) return kind;
  }
  return undefined;
}

function cookieNames(v: string): string {
  const names: string[] = [];
  for (const part of v.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq >= 0 ? part.slice(0, eq) : part).trim();
    if (name && names.length < 20) names.push(name.replace(/[^\w.\-$]/g, '?').slice(0, 40));
  }
  return names.join(',');
}

/** Reset/verify context from the record's URL-like fields (top level and one level down). */
function recordContext(raw: unknown): number {
  if (raw === null || typeof raw !== 'object') return 0;
  let f = 0;
  const look = (v: unknown): void => {
    if (typeof v !== 'string' || v.length === 0) return;
    const c = v.charCodeAt(0);
    if (c !== 47 /* / */ && !v.startsWith('http') && !/^[A-Z]{3,7} \//.test(v)) return;
    const q = v.indexOf('?');
    const head = q >= 0 ? v.slice(0, q) : v.slice(0, 512);
    if (RESET_CONTEXT.test(head)) f |= 1;
    if (VERIFY_CONTEXT.test(head)) f |= 2;
  };
  const obj = raw as Record<string, unknown>;
  let seen = 0;
  for (const k in obj) {
    if (++seen > 200) break;
    const v = obj[k];
    if (typeof v === 'string') look(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      let inner = 0;
      for (const k2 in v as Record<string, unknown>) {
        if (++inner > 100) break;
        look((v as Record<string, unknown>)[k2]);
      }
    }
  }
  return f;
}

/** Replace each finding's span with its mask (overlaps merged; later findings inside an earlier span dropped). */
export function applyMasks(s: string, found: Finding[]): string {
  const spans = found.slice().sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  for (const f of spans) {
    if (f.start < pos) continue;
    out += s.slice(pos, f.start) + f.masked;
    pos = f.end;
  }
  return out + s.slice(pos);
}
