import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { GeoipTables, geoipDataDir, sharedGeoipTables, treeDepth, type GeoipLiteResult } from '../../src/enrich/geoip-tables.js';
import { createGeoLookup } from '../../src/enrich/index.js';
import { ConfigError } from '../../src/rules/index.js';
import { mulberry32 } from '../../fixtures/scenarios/generate.js';
import { tempDirs } from '../helpers/temp.js';

/**
 * The in-place reader against geoip-lite itself (loaded here only), on the same addresses: random
 * ones, and the edges of every contiguous run of records a lookup reads (the records bounding the
 * intervals the search is left with after the in-memory tree), of every gap and of every
 * overlapping IPv6 range, plus textual oddities that geoip-lite's own parsing has to agree on.
 */

const require = createRequire(import.meta.url);
type Lite = { lookup(ip: string): (GeoipLiteResult & Record<string, unknown>) | null };
const lite = require('geoip-lite') as Lite;
const DATA = geoipDataDir();
const MAX32 = 0xffffffff;
const MAX64 = (1n << 64n) - 1n;

// Seeded, so a failure can be replayed.
const rand = mulberry32(20261122);
const u32 = (): number => Math.floor(rand() * 4294967296);
const u64 = (): bigint => (BigInt(u32()) << 32n) | BigInt(u32());

const dotted = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** A 128-bit address in one of ipaddr.js's three spellings (compressed, expanded, zero-padded). */
function v6text(hi: bigint, lo: bigint): string {
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number(((i >= 8 ? hi >> BigInt((i - 8) * 8) : lo >> BigInt(i * 8))) & 0xffn));
  const a = new ipaddr.IPv6(bytes);
  const r = rand();
  return r < 0.6 ? a.toString() : r < 0.8 ? a.toNormalizedString() : a.toNormalizedString().replace(/[0-9a-f]+/g, (g) => g.padStart(4, '0'));
}
/** The lower 64 bits of a test address: geoip-lite ignores them, but they change the spelling. */
const low64 = (): bigint => {
  const r = rand();
  return r < 0.4 ? 0n : r < 0.5 ? MAX64 : r < 0.6 ? 1n : u64();
};

/** The intervals [fline, cline] geoip-lite's search can be left with after `depth` steps. */
function leafIntervals(records: number, depth: number): Array<[number, number]> {
  let level: Array<[number, number]> = [[0, records - 1]];
  for (let d = 0; d < depth; d++) {
    const next: Array<[number, number]> = [];
    for (const [f, c] of level) {
      const line = Math.round((c - f) / 2) + f;
      if (f === c) continue;
      if (f === c - 1) next.push(line === f ? [c, c] : [f, f]);
      else next.push([f, line], [line, c]);
    }
    level = next;
  }
  return level;
}

interface Table {
  n: number;
  start(i: number): bigint;
  end(i: number): bigint;
}
function table(file: string, recordSize: number, words: 1 | 2): Table {
  const b = fs.readFileSync(path.join(DATA, file));
  const key = (at: number): bigint => (words === 1 ? BigInt(b.readUInt32BE(at)) : (BigInt(b.readUInt32BE(at)) << 32n) | BigInt(b.readUInt32BE(at + 4)));
  return { n: b.length / recordSize, start: (i) => key(i * recordSize), end: (i) => key(i * recordSize + (words === 1 ? 4 : 16)) };
}

/** Keys at and around the edges of record i (clamped to [0, max]). */
function edges(t: Table, i: number, max: bigint, out: Set<bigint>): void {
  for (const k of [t.start(i), t.end(i)]) for (const d of [-1n, 0n, 1n]) if (k + d >= 0n && k + d <= max) out.add(k + d);
}

function v4Addresses(): string[] {
  const t = table('geoip-city.dat', 24, 1);
  const keys = new Set<bigint>();
  for (const [f, c] of leafIntervals(t.n, treeDepth(t.n))) {
    edges(t, f, BigInt(MAX32), keys);
    edges(t, c, BigInt(MAX32), keys);
  }
  for (let i = 1; i < t.n; i++) {
    if (t.start(i) > t.end(i - 1) + 1n) {
      edges(t, i - 1, BigInt(MAX32), keys);
      edges(t, i, BigInt(MAX32), keys);
      keys.add((t.start(i) + t.end(i - 1)) / 2n);
    }
  }
  for (const k of [0n, 1n, BigInt(MAX32) - 1n, BigInt(MAX32)]) keys.add(k);
  edges(t, 0, BigInt(MAX32), keys);
  edges(t, t.n - 1, BigInt(MAX32), keys);
  for (const [lo, hi] of [[0x0a000000, 0x0affffff], [0xac100000, 0xac1fffff], [0xc0a80000, 0xc0a8ffff]] as const) {
    for (const k of [lo - 1, lo, hi, hi + 1]) keys.add(BigInt(k));
  }
  for (let i = 0; i < 40_000; i++) keys.add(BigInt(u32()));
  for (let i = 0; i < 20_000; i++) {
    const r = Math.floor(rand() * t.n);
    keys.add(t.start(r) + BigInt(Math.floor(rand() * Number(t.end(r) - t.start(r) + 1n))));
  }
  const ips = [...keys].map((k) => dotted(Number(k)));
  // IPv4-mapped IPv6, in the spellings geoip-lite recognises (and one it does not).
  const mapped = ['::ffff:', '::FFFF:', '0:0:0:0:0:ffff:', '0:0:0:0:0:FFFF:', '::'];
  for (let i = 0; i < 8_000; i++) ips.push(mapped[i % mapped.length]! + ips[Math.floor(rand() * ips.length)]!);
  return ips;
}

function v6Addresses(): { ips: string[]; overlaps: number } {
  const t = table('geoip-city6.dat', 48, 2);
  const keys = new Set<bigint>();
  for (const [f, c] of leafIntervals(t.n, treeDepth(t.n))) {
    edges(t, f, MAX64, keys);
    edges(t, c, MAX64, keys);
  }
  let overlaps = 0;
  for (let i = 1; i < t.n; i++) {
    const prevEnd = t.end(i - 1);
    if (t.start(i) <= prevEnd) {
      overlaps++;
      edges(t, i, MAX64, keys);
      edges(t, i - 1, MAX64, keys);
      keys.add((t.start(i) + prevEnd) / 2n);
    } else if (t.start(i) > prevEnd + 1n && rand() < 0.2) {
      keys.add(prevEnd + 1n).add(t.start(i) - 1n);
    }
  }
  edges(t, 0, MAX64, keys);
  edges(t, t.n - 1, MAX64, keys);
  for (let i = 0; i < 10_000; i++) keys.add(t.start(0) + ((t.end(t.n - 1) - t.start(0)) * BigInt(u32())) / BigInt(MAX32));
  for (let i = 0; i < 15_000; i++) {
    const r = Math.floor(rand() * t.n);
    keys.add(t.start(r) + ((t.end(r) - t.start(r)) * BigInt(u32())) / BigInt(MAX32));
  }
  const ips = [...keys].map((k) => v6text(k, low64()));
  ips.push(
    ...['::', '::1', '::2', '1::', '2001::', '2001:4860:4860::8888', '2a00:1450:4001:81d::200e', '2A00:1450:4001:81D::200E', '2a01:cb00::1'],
    ...['::ffff:0102:0304', '::ffff:5.48.77.40', '::FFFF:8.8.8.8', '0:0:0:0:0:ffff:8.8.8.8', '::ffff:0:8.8.8.8', '64:ff9b::8.8.8.8'],
    ...['fe80::1%eth0', '2a00:1450::1%1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2c0f:ffff::', '2001:0db8:0000:0000:0000:0000:0000:0001'],
  );
  return { ips, overlaps };
}

function sameAsGeoipLite(r: GeoipLiteResult | null, g: ReturnType<Lite['lookup']>): boolean {
  if (r === null || g === null) return r === g;
  return (
    r.country === g.country &&
    r.region === g.region &&
    r.city === g.city &&
    Object.is(r.ll[0], g.ll[0]) &&
    Object.is(r.ll[1], g.ll[1]) &&
    Object.is(r.area, g.area)
  );
}

/** Mismatches (the first 10) and how many addresses geoip-lite located. */
function compare(tables: GeoipTables, geoip: Lite, ips: string[]): { bad: string[]; located: number } {
  const bad: string[] = [];
  let located = 0;
  for (const ip of ips) {
    const g = geoip.lookup(ip);
    const r = tables.lookup(ip);
    if (g?.country) located++;
    if (!sameAsGeoipLite(r, g) && bad.length < 10) bad.push(`${ip}: ${JSON.stringify(r)} vs geoip-lite ${JSON.stringify(g && { ...g, range: undefined })}`);
  }
  return { bad, located };
}

const tempDir = tempDirs();
function dataDir(files: Record<string, string | null>): string {
  const dir = tempDir('apilog-geodata-');
  for (const [name, content] of Object.entries(files)) {
    if (content === null) fs.symlinkSync(path.join(DATA, name), path.join(dir, name));
    else fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** A second geoip-lite, loaded from `dir` (GEODATADIR is read when geoip-lite is loaded). */
function geoipLiteFrom(dir: string): Lite {
  const main = require.resolve('geoip-lite');
  const saved = require.cache[main];
  const env = process.env.GEODATADIR;
  try {
    process.env.GEODATADIR = dir;
    delete require.cache[main];
    return require('geoip-lite') as Lite;
  } finally {
    if (env === undefined) delete process.env.GEODATADIR;
    else process.env.GEODATADIR = env;
    require.cache[main] = saved;
  }
}

function withDataDir<T>(dir: string, fn: () => T): T {
  const env = process.env.GEODATADIR;
  process.env.GEODATADIR = dir;
  try {
    return fn();
  } finally {
    if (env === undefined) delete process.env.GEODATADIR;
    else process.env.GEODATADIR = env;
  }
}

const V4 = v4Addresses();
const { ips: V6, overlaps: V6_OVERLAPS } = v6Addresses();

describe("geoip-lite's tables read in place", () => {
  const tables = sharedGeoipTables();

  it(`gives geoip-lite's answer for ${V4.length} IPv4 addresses`, () => {
    expect(V4.length).toBeGreaterThanOrEqual(100_000);
    const { bad, located } = compare(tables, lite, V4);
    expect(bad).toEqual([]);
    expect(located).toBeGreaterThan(V4.length / 2);
  });

  it(`gives geoip-lite's answer for ${V6.length} IPv6 addresses`, () => {
    expect(V6.length).toBeGreaterThanOrEqual(20_000);
    expect(V6_OVERLAPS, 'overlapping IPv6 ranges (why the reader replays the search)').toBeGreaterThan(0);
    const { bad, located } = compare(tables, lite, V6);
    expect(bad).toEqual([]);
    expect(located).toBeGreaterThan(V6.length / 2);
  });

  it('gives null for what geoip-lite does not locate, and nothing for non-addresses', () => {
    for (const ip of ['', 'x', '1.2.3', '1.2.3.4.5', '256.1.1.1', '10.1.2.3', '192.168.0.1', '0.0.0.0', '255.255.255.255', '::']) {
      expect(sameAsGeoipLite(tables.lookup(ip), lite.lookup(ip)), ip).toBe(true);
    }
    expect(tables.lookup('10.1.2.3')).toBeNull();
    expect(tables.lookup('not-an-ip')).toBeNull();
  });

  it('is shared: one set of open files per data folder, however many lookups are created', () => {
    expect(sharedGeoipTables()).toBe(tables);
    const fds = (): number => fs.readdirSync('/proc/self/fd').length;
    const canCount = fs.existsSync('/proc/self/fd');
    const before = canCount ? fds() : 0;
    for (let i = 0; i < 50; i++) expect(createGeoLookup()('5.48.77.40')).toMatchObject({ country: 'FR', city: 'Paris' });
    if (canCount) expect(fds()).toBe(before);
  });

  it("honours GEODATADIR as geoip-lite does (relative to geoip-lite's lib folder)", () => {
    const dir = dataDir({});
    expect(withDataDir(dir, geoipDataDir)).toBe(dir);
    expect(withDataDir('../data', geoipDataDir)).toBe(DATA);
    expect(withDataDir('', geoipDataDir)).toBe(DATA);
    expect(path.basename(path.dirname(DATA))).toBe('geoip-lite');
  });

  it('falls back to the country files as geoip-lite does', () => {
    const sample4 = V4.filter((_, i) => i % 16 === 0);
    const sample6 = V6.filter((_, i) => i % 8 === 0);
    // No names file: country files for both families.
    const countryOnly = dataDir({ 'geoip-country.dat': null, 'geoip-country6.dat': null, 'geoip-city.dat': null, 'geoip-city6.dat': '' });
    // Names but no v4 city file: v4 from the country file, v6 from the city file (with the names).
    const noCity4 = dataDir({ 'geoip-city-names.dat': null, 'geoip-country.dat': null, 'geoip-city6.dat': null });
    for (const dir of [countryOnly, noCity4]) {
      const t = new GeoipTables(dir);
      const other = geoipLiteFrom(dir);
      const ips = [...sample4, ...sample6];
      const { bad, located } = compare(t, other, ips);
      expect(bad).toEqual([]);
      expect(located).toBeGreaterThan(ips.length / 2);
      t.close();
    }
    const t = new GeoipTables(countryOnly);
    expect(t.lookup('5.48.77.40')).toEqual({ country: 'FR', region: '', city: '', ll: [null, null] });
    t.close();
  });

  it('fails at the first lookup, as a ConfigError, when the data cannot be opened', () => {
    const empty = dataDir({});
    expect(() => new GeoipTables(empty)).toThrow(/geoip-country\.dat/);
    const geo = createGeoLookup();
    withDataDir(empty, () => {
      expect(geo('10.0.0.1')).toEqual({ reserved: 'private (RFC 1918)' });
      expect(() => geo('5.48.77.40')).toThrow(ConfigError);
      expect(() => geo('5.48.77.40')).toThrow(/cannot load the GeoIP database: ENOENT.*geoip-country\.dat/);
    });
    const torn = dataDir({ 'geoip-country.dat': 'x'.repeat(15), 'geoip-country6.dat': null });
    expect(() => new GeoipTables(torn)).toThrow(/15 bytes is not a whole number of 10-byte records/);
  });
});
