/**
 * Reading and writing baselines. The format is documented in docs/checklist-and-baselines.md;
 * loadBaseline validates shape and version and names the file and the offending key on error.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Baseline } from './types.js';
import { BASELINE_SCHEMA_VERSION } from './version.js';

/** A baseline file that cannot be used; `file` and `key` say where. */
export class BaselineError extends Error {
  readonly file: string;
  readonly key: string;
  constructor(file: string, key: string, problem: string) {
    super(key === '' ? `baseline ${file}: ${problem}` : `baseline ${file}: "${key}" ${problem}`);
    this.name = 'BaselineError';
    this.file = file;
    this.key = key;
  }
}

/**
 * Write a baseline as JSON (atomically: a temporary file renamed into place). A path that is not a
 * regular file (/dev/stdout, a FIFO, a device) is written in place: a rename would replace it. A
 * folder is refused (EISDIR) before anything is written.
 */
export function saveBaseline(b: Baseline, file: string): void {
  const text = `${JSON.stringify(b)}\n`;
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw Object.assign(new Error(`${file} is a folder`), { code: 'EISDIR', path: file });
  if (st && !st.isFile()) {
    fs.writeFileSync(file, text, 'utf8');
    return;
  }
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { encoding: 'utf8', mode: 0o644 });
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Read and validate a baseline file. Throws BaselineError naming the file and the bad key. */
export function loadBaseline(file: string): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new BaselineError(file, '', `cannot be read (${code})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BaselineError(file, '', `is not valid JSON (${(err as Error).message})`);
  }
  return validateBaseline(value, file);
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyPath(parent: string, k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? (parent === '' ? k : `${parent}.${k}`) : `${parent}[${JSON.stringify(k)}]`;
}

/** Validate an already-parsed baseline; `file` is only used in error messages. */
export function validateBaseline(value: unknown, file: string): Baseline {
  const fail = (key: string, problem: string): never => {
    throw new BaselineError(file, key, problem);
  };
  const num = (o: Obj, k: string, at: string, optional = false): void => {
    const v = o[k];
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(keyPath(at, k), 'must be a finite number');
  };
  const obj = (o: Obj, k: string, at: string): Obj => {
    const v = o[k];
    if (!isObj(v)) return fail(keyPath(at, k), 'must be an object');
    return v;
  };
  const countMap = (o: Obj, k: string, at: string, optional = false): void => {
    if (o[k] === undefined && optional) return;
    const m = obj(o, k, at);
    const here = keyPath(at, k);
    for (const [kk, v] of Object.entries(m)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(keyPath(here, kk), 'must be a non-negative number');
    }
  };

  if (!isObj(value)) return fail('', 'must hold a JSON object');
  const sv = value.schemaVersion;
  if (typeof sv !== 'string') return fail('schemaVersion', 'is missing (not an apilog baseline?)');
  const major = BASELINE_SCHEMA_VERSION.split('.')[0];
  if (sv.split('.')[0] !== major) {
    fail('schemaVersion', `is ${JSON.stringify(sv)}; this apilog reads version ${major}.x (rebuild it with apilog baseline)`);
  }
  if (typeof value.createdAt !== 'string') fail('createdAt', 'must be a string');
  if (value.origin !== 'file' && value.origin !== 'input') fail('origin', 'must be "file" or "input"');
  const period = obj(value, 'period', '');
  num(period, 'start', 'period');
  num(period, 'end', 'period');
  num(value, 'events', '', true);

  const actors = obj(value, 'actors', '');
  for (const [actor, a] of Object.entries(actors)) {
    const at = keyPath('actors', actor);
    if (!isObj(a)) fail(at, 'must be an object');
    const ab = a as Obj;
    const how = ab.hoursOfWeek;
    if (!Array.isArray(how) || how.length !== 168) fail(keyPath(at, 'hoursOfWeek'), 'must be an array of 168 numbers');
    (how as unknown[]).forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`${keyPath(at, 'hoursOfWeek')}[${i}]`, 'must be a non-negative number');
    });
    countMap(ab, 'routes', at);
    countMap(ab, 'countries', at);
    countMap(ab, 'ips', at);
    const rph = obj(ab, 'requestsPerHour', at);
    num(rph, 'median', keyPath(at, 'requestsPerHour'));
    num(rph, 'p99', keyPath(at, 'requestsPerHour'));
    const bph = obj(ab, 'bytesPerHour', at);
    num(bph, 'median', keyPath(at, 'bytesPerHour'));
    num(bph, 'mad', keyPath(at, 'bytesPerHour'));
    num(bph, 'p99', keyPath(at, 'bytesPerHour'));
    countMap(ab, 'distinctIdsPer10m', at, true);
    if (ab.ownIds !== undefined) {
      const own = obj(ab, 'ownIds', at);
      for (const [tpl, ids] of Object.entries(own)) {
        if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string')) {
          fail(keyPath(keyPath(at, 'ownIds'), tpl), 'must be an array of strings');
        }
      }
    }
    num(ab, 'activeDays', at);
    num(ab, 'firstSeen', at);
    num(ab, 'lastSeen', at);
    num(ab, 'requests', at, true);
    num(ab, 'activeHours', at, true);
    if (ab.truncated !== undefined) {
      const t = obj(ab, 'truncated', at);
      for (const [k, v] of Object.entries(t)) {
        if (typeof v !== 'boolean') fail(keyPath(keyPath(at, 'truncated'), k), 'must be true or false');
      }
    }
  }

  const routes = obj(value, 'routes', '');
  for (const [route, r] of Object.entries(routes)) {
    const at = keyPath('routes', route);
    if (!isObj(r)) fail(at, 'must be an object');
    const rb = r as Obj;
    countMap(rb, 'callers', at);
    const rph = obj(rb, 'requestsPerHour', at);
    num(rph, 'median', keyPath(at, 'requestsPerHour'));
    num(rph, 'p99', keyPath(at, 'requestsPerHour'));
    num(rb, 'requests', at, true);
    num(rb, 'distinctCallers', at, true);
  }

  if (value.caps !== undefined) {
    const caps = obj(value, 'caps', '');
    for (const k of Object.keys(caps)) num(caps, k, 'caps');
  }
  if (value.dropped !== undefined) {
    const d = obj(value, 'dropped', '');
    num(d, 'actors', 'dropped');
    num(d, 'routes', 'dropped');
  }
  return value as unknown as Baseline;
}

