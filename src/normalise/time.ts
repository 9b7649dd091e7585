/**
 * Timestamps of every shape seen in access logs, to epoch milliseconds UTC.
 *
 * - ISO 8601 / RFC 3339 (any fraction length, `Z`, `±HH:MM`, `±HHMM`, `±HH`, space or `T`
 *   separator, trailing ` UTC`); no offset is read as UTC. Hand-parsed: no Date call.
 * - CLF `15/Jul/2021:05:35:16 +0000` (nginx `time_local`, API Gateway `requestTime`).
 * - Epoch numbers or numeric strings in s (float allowed), ms, µs or ns, told apart by magnitude.
 * - Anything else Date.parse understands and that carries a 4-digit year (RFC 1123 and such).
 *
 * Results are whole milliseconds (fractions truncated). Instants at or before the Unix epoch are
 * treated as "no timestamp" (a 0 is a placeholder far more often than a real 1970 record).
 *
 * A wall-clock time without an offset is read as UTC; `lastTimestampHadNoOffset()` says whether
 * the last timestamp parsed was one, so the normaliser can re-read it in the zone --input-tz names.
 */

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dim = DAYS_IN_MONTH[m - 1] as number;
  if (d > dim) return false;
  if (m === 2 && d === 29) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return true;
}

/** Two ASCII digits at i, or -1. */
function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

function d4(s: string, i: number): number {
  const a = d2(s, i);
  const b = d2(s, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/**
 * Whether the last string parseIso or parseClf read ended without an offset. A module variable
 * rather than a second return value: the per-record path returns a bare number, allocation-free.
 */
let noOffset = false;
/** The same, for the last timestamp parseTimestamp returned (failed parses leave it as it was). */
let lastNoOffset = false;

/** Whether the last timestamp successfully parsed was a wall-clock time with no UTC offset. */
export function lastTimestampHadNoOffset(): boolean {
  return lastNoOffset;
}

/** Parses an offset at i (`Z`, `±HH:MM`, `±HHMM`, `±HH`, optional ` UTC`/` GMT` after). Returns minutes east, or NaN. */
function parseOffset(s: string, i: number): number {
  const n = s.length;
  noOffset = i === n;
  if (i === n) return 0;
  let c = s.charCodeAt(i);
  if (c === 32) {
    // "2023-03-23 04:09:46.421 +0000 UTC" or "... UTC"
    i++;
    if (i === n) return NaN;
    c = s.charCodeAt(i);
  }
  let off = 0;
  if (c === 90 || c === 122) {
    i++;
  } else if (c === 43 || c === 45) {
    const h = d2(s, i + 1);
    if (h < 0 || h > 23) return NaN;
    i += 3;
    let mm = 0;
    if (i < n && s.charCodeAt(i) === 58) i++;
    if (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) {
      mm = d2(s, i);
      if (mm < 0 || mm > 59) return NaN;
      i += 2;
    }
    off = (h * 60 + mm) * (c === 45 ? -1 : 1);
  } else if (isZoneWord(s, i)) {
    return 0;
  } else {
    return NaN;
  }
  if (i === n) return off;
  if (s.charCodeAt(i) === 32 && isZoneWord(s, i + 1)) return off;
  return NaN;
}

function isZoneWord(s: string, i: number): boolean {
  if (s.length !== i + 3) return false;
  const w = s.slice(i).toUpperCase();
  return w === 'UTC' || w === 'GMT';
}

/** ISO 8601 / RFC 3339. Returns NaN when the string is not in that shape. */
export function parseIso(s: string): number {
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = d4(s, 0);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  if (y < 0 || mo < 0 || d < 0 || !validDate(y, mo, d)) return NaN;
  let ms = daysFromCivil(y, mo, d) * MS_PER_DAY;
  if (n === 10) {
    noOffset = true;
    return ms;
  }
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) {
    const off = parseOffset(s, 10);
    return Number.isNaN(off) ? NaN : ms - off * 60_000;
  }
  const h = d2(s, 11);
  if (h < 0 || h > 24 || s.charCodeAt(13) !== 58) return NaN;
  const mi = d2(s, 14);
  if (mi < 0 || mi > 59) return NaN;
  let i = 16;
  let sec = 0;
  if (i < n && s.charCodeAt(i) === 58) {
    sec = d2(s, 17);
    if (sec < 0 || sec > 60) return NaN;
    i = 19;
  }
  let frac = 0;
  if (i < n && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
    i++;
    let digits = 0;
    while (i < n) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (digits < 3) frac = frac * 10 + c;
      digits++;
      i++;
    }
    if (digits === 0) return NaN;
    if (digits === 1) frac *= 100;
    else if (digits === 2) frac *= 10;
  }
  const off = parseOffset(s, i);
  if (Number.isNaN(off)) return NaN;
  ms += h * 3_600_000 + mi * 60_000 + sec * 1000 + frac - off * 60_000;
  return ms;
}

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** Common Log Format time: `15/Jul/2021:05:35:16 +0000` (fraction and offset optional). NaN otherwise. */
export function parseClf(s: string): number {
  if (s.length < 20 || s.charCodeAt(2) !== 47 || s.charCodeAt(6) !== 47 || s.charCodeAt(11) !== 58) return NaN;
  const d = d2(s, 0);
  const mo = MONTHS[s.slice(3, 6).toLowerCase()];
  const y = d4(s, 7);
  if (d < 0 || mo === undefined || y < 0 || !validDate(y, mo, d)) return NaN;
  const h = d2(s, 12);
  const mi = d2(s, 15);
  const sec = d2(s, 18);
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return NaN;
  if (s.charCodeAt(14) !== 58 || s.charCodeAt(17) !== 58) return NaN;
  let i = 20;
  let frac = 0;
  if (i < s.length && s.charCodeAt(i) === 46) {
    i++;
    let digits = 0;
    while (i < s.length) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      if (digits < 3) frac = frac * 10 + c;
      digits++;
      i++;
    }
    if (digits === 1) frac *= 100;
    else if (digits === 2) frac *= 10;
  }
  const off = parseOffset(s, i);
  if (Number.isNaN(off)) return NaN;
  return daysFromCivil(y, mo, d) * MS_PER_DAY + h * 3_600_000 + mi * 60_000 + sec * 1000 + frac - off * 60_000;
}

/** Whole ms from a possibly fractional ms value, forgiving float noise below 1 µs. */
function wholeMs(ms: number): number {
  const r = Math.round(ms);
  return Math.abs(ms - r) < 1e-3 ? r : Math.floor(ms);
}

/** The latest instant a Date can hold (about year 275760); later ones cannot be formatted. */
const MAX_DATE_MS = 8.64e15;

/**
 * Epoch number in s, ms, µs or ns (by magnitude) to whole ms. Undefined when the result is not
 * after the epoch (a sub-millisecond value truncates to 0) or beyond what a Date can hold (a huge
 * nanosecond count such as 1e300).
 */
export function epochToMs(n: number): number | undefined {
  // Below 1e8 (March 1973 in seconds) a number is no time of an access log but a duration or a
  // count (nginx's request_time 0.259): refused, so a later time field is tried.
  if (!(n >= 1e8) || !Number.isFinite(n)) return undefined;
  let ms: number;
  if (n < 1e11) ms = wholeMs(n * 1000); // seconds (until year 5138)
  else if (n < 1e14) ms = wholeMs(n); // milliseconds
  else if (n < 1e17) ms = wholeMs(n / 1e3); // microseconds
  else ms = wholeMs(n / 1e6); // nanoseconds
  return ms > 0 && ms <= MAX_DATE_MS ? ms : undefined;
}

function isNumeric(s: string): boolean {
  let dot = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (dot || i === 0 || i === s.length - 1) return false;
      dot = true;
    } else if (c < 48 || c > 57) {
      return false;
    }
  }
  return s.length > 0;
}

function hasYear(s: string): boolean {
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++run === 4) return true;
    } else {
      run = 0;
    }
  }
  return false;
}

export function parseTimestampString(raw: string): number | undefined {
  let s = raw;
  const n0 = s.length;
  if (n0 === 0) return undefined;
  if (s.charCodeAt(0) <= 32 || s.charCodeAt(n0 - 1) <= 32) s = s.trim();
  if (s.length < 4) return undefined;
  const c0 = s.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    // ISO- and CLF-shaped strings are decided here: Date.parse would read an ISO time without
    // offset as local time and roll invalid dates (2023-02-29 -> 1 March) instead of rejecting them.
    if (s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
      return wallClock(parseIso(s));
    } else if (s.charCodeAt(2) === 47 && s.charCodeAt(6) === 47) {
      return wallClock(parseClf(s));
    } else if (isNumeric(s)) {
      return instant(epochToMs(Number(s)));
    }
  } else if (c0 === 91 && s.charCodeAt(s.length - 1) === 93) {
    // "[15/Jul/2021:05:35:16 +0000]" as some nginx templates write $time_local in brackets
    return parseTimestampString(s.slice(1, -1));
  }
  if (!hasYear(s)) return undefined;
  // Date.parse would read a zone-less "2024/01/02 10:00:00" in the machine's zone: read it as UTC,
  // like a zone-less ISO time, so a report does not depend on where it was run.
  if (!ZONE_AT_END.test(s)) {
    const u = Date.parse(`${s} UTC`);
    if (!Number.isNaN(u)) {
      if (u <= 0) return undefined;
      lastNoOffset = true;
      return u;
    }
  }
  const t = Date.parse(s);
  return Number.isNaN(t) || t <= 0 ? undefined : instant(t);
}

/** A zone at the end of an RFC 1123-like time: `GMT`, `EST`, `+0200`, `GMT+0100 (CET)`. */
const ZONE_AT_END = /(?:[+-]\d{2}:?\d{2}|\b(?:GMT|UTC|UT|Z|[A-Z]{3,4})(?:[+-]\d{1,4})?)(?:\s*\([^)]*\))?$/;

/** An ISO or CLF result: remembers whether it carried an offset. */
function wallClock(t: number): number | undefined {
  if (Number.isNaN(t) || t <= 0) return undefined;
  lastNoOffset = noOffset;
  return t;
}

/** A result that is an instant whatever the zone (epoch numbers, strings with a zone). */
function instant(t: number | undefined): number | undefined {
  if (t !== undefined) lastNoOffset = false;
  return t;
}

/** Any timestamp value to epoch ms UTC, or undefined when it is not one. */
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v === 'string') return parseTimestampString(v);
  if (typeof v === 'number') return instant(epochToMs(v));
  if (typeof v === 'bigint') return instant(epochToMs(Number(v)));
  return undefined;
}
