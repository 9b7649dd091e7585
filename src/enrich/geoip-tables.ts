/**
 * geoip-lite's data files (node_modules/geoip-lite/data, or $GEODATADIR), read in place instead of
 * through `require('geoip-lite')`, which reads all ~146 MB of them into memory when loaded.
 *
 * The answers are geoip-lite's own, because a lookup replays geoip-lite's binary search
 * (lib/geoip.js: lookup4, lookup6) step for step instead of running a search of its own. That
 * matters: geoip-city6.dat has overlapping ranges (75 in geoip-lite 1.4.10's data; and only the
 * first 64 bits of an IPv6 address are compared), where the record found depends on the path the
 * search takes. The first `depth` steps (about log2(records / 128): 15 for the v4 city file, 14
 * for v6) use an in-memory tree in heap order holding the start and end keys of the records those
 * steps visit; a node is read from the file (one positional read) the first time a search reaches
 * it, so a short log reads a few hundred bytes, and the tree never exceeds 2^depth x 16 bytes
 * (512 KB for v4). The search then has at most ~100 records left to visit, all contiguous (99 in
 * v4, 77 in v6): one read into a reused Buffer (2.4 or 3.7 KB), where it finishes. Then one 88-byte
 * read of the location's names.
 *
 * Files are opened on the first lookup (so a missing or unreadable file fails there, as loading
 * geoip-lite would); a table is first read when first searched (the IPv6 one on the first IPv6
 * address). Opened tables are shared module-wide and stay open for the life of the process.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The fields of a `require('geoip-lite').lookup(ip)` result that apilog uses, with the same values. */
export interface GeoipLiteResult {
  country: string;
  region: string;
  city: string;
  /** [null, null] (IPv4) or [0, 0] (IPv6) for a range without a location, as geoip-lite gives. */
  ll: [number | null, number | null];
  /** Accuracy radius in km; absent for a range without a location and for country-only data. */
  area?: number;
}

/** Record layouts (geoip-lite lib/geoip.js). Keys are big-endian u32 words: 1 for IPv4, 2 for IPv6. */
interface Layout {
  recordSize: number;
  words: 1 | 2;
  /** Offset of the range's end key (the start is at 0). */
  end: number;
  /** Country-only files: offset of the 2-byte country code. */
  country?: number;
  /** City files: offsets of the location id (u32, 0xFFFFFFFF = none), lat and lon (i32 / 10000), area (u32). */
  loc?: number;
  lat?: number;
  lon?: number;
  area?: number;
}
const CITY4: Layout = { recordSize: 24, words: 1, end: 4, loc: 8, lat: 12, lon: 16, area: 20 };
const COUNTRY4: Layout = { recordSize: 10, words: 1, end: 4, country: 8 };
const CITY6: Layout = { recordSize: 48, words: 2, end: 16, loc: 32, lat: 36, lon: 40, area: 44 };
const COUNTRY6: Layout = { recordSize: 34, words: 2, end: 16, country: 32 };

const NO_LOCATION = 0xffffffff;
/** geoip-city-names.dat: country (2 bytes), region (3), metro i32 (4), eu (1), timezone (32), city (46). */
const NAME_RECORD = 88;
/** geoip-lite cuts each text field at its first NUL with this regex; the same one gives the same strings. */
const NUL_TAIL = /\u0000.*/;

/** geoip-lite skips these before searching (lookup4's privateRange4). */
const PRIVATE4: Array<[number, number]> = [
  [0x0a000000, 0x0affffff],
  [0xac100000, 0xac1fffff],
  [0xc0a80000, 0xc0a8ffff],
];

/** Records per contiguous run read by one lookup, at most about this many: sets the tree's depth. */
const RUN_RECORDS = 128;
/**
 * The last levels of the tree are filled a subtree at a time, with one read of the records its
 * nodes sit among (for the IPv4 city table, 2^4 runs of 128 records of 24 bytes: 48 KB): a
 * positional read costs about the same for 24 bytes as for tens of KB, and a new IP used to cost a
 * read per level it reached (430 ms on the 200 MB bench file, for its 3,385 IPs).
 */
const SUBTREE_LEVELS = 4;

/** Levels of the in-memory search tree for a table of `records` records (0 for a small table). */
export function treeDepth(records: number): number {
  return records > RUN_RECORDS ? Math.ceil(Math.log2(records / RUN_RECORDS)) : 0;
}

/** 1, 0 or -1 as the 64-bit key (a0, a1) is above, equal to or below (b0, b1): geoip-lite's cmp6. */
function cmp(a0: number, a1: number, b0: number, b1: number): number {
  if (a0 !== b0) return a0 < b0 ? -1 : 1;
  if (a1 !== b1) return a1 < b1 ? -1 : 1;
  return 0;
}

/** One range file: positional reads through a process-lifetime descriptor. */
class RangeTable {
  private readonly lastLine: number;
  /** Heap-ordered search tree: node h holds start (2 words) and end (2 words) at 4h, once loaded[h]. */
  private nodes: Uint32Array | null = null;
  private loaded = new Uint8Array(0);
  /** 2^depth: nodes are 1 .. treeSize-1; a search leaving the tree continues in a run read from disk. */
  private treeSize = 1;
  /** Nodes from this index on are in the last SUBTREE_LEVELS levels, and loaded a subtree at a time. */
  private subtreeFrom = 1;
  /** Reused buffer for a subtree's records (loadSubtree). */
  private span = Buffer.alloc(0);
  private run = Buffer.alloc(0);
  private readonly scratch: Buffer;
  private first0 = 0;
  private first1 = 0;
  private last0 = 0;
  private last1 = 0;

  constructor(
    readonly file: string,
    private readonly fd: number,
    readonly layout: Layout,
    size: number,
  ) {
    if (size === 0 || size % layout.recordSize !== 0) {
      throw new Error(`${file}: ${size} bytes is not a whole number of ${layout.recordSize}-byte records`);
    }
    this.lastLine = size / layout.recordSize - 1;
    this.scratch = Buffer.alloc(layout.recordSize);
  }

  get prepared(): boolean {
    return this.nodes !== null;
  }

  /** Read `count` records from `line` into `buf` (by default the reused run buffer, grown if needed). */
  private readRecords(line: number, count: number, buf?: Buffer): Buffer {
    const bytes = count * this.layout.recordSize;
    if (!buf) {
      if (this.run.length < bytes) this.run = Buffer.alloc(bytes);
      buf = this.run;
    }
    const got = fs.readSync(this.fd, buf, 0, bytes, line * this.layout.recordSize);
    if (got !== bytes) throw new Error(`${this.file}: short read at record ${line} (did the file change?)`);
    return buf;
  }

  /** Allocate the (empty) tree and read the first and last keys, which geoip-lite checks first. */
  private prepare(): void {
    const { end } = this.layout;
    const two = this.layout.words === 2;
    const size = 2 ** treeDepth(this.lastLine + 1);
    let b = this.readRecords(0, 1);
    this.first0 = b.readUInt32BE(0);
    this.first1 = two ? b.readUInt32BE(4) : 0;
    b = this.readRecords(this.lastLine, 1);
    this.last0 = b.readUInt32BE(end);
    this.last1 = two ? b.readUInt32BE(end + 4) : 0;
    this.loaded = new Uint8Array(size);
    this.treeSize = size;
    this.subtreeFrom = Math.max(1, size >> SUBTREE_LEVELS);
    this.nodes = new Uint32Array(4 * size);
  }

  /**
   * Load node h, the top of a subtree in the last levels whose search covers lines [f, c], and
   * every node under it, from one read of those lines. The lines are those find() computes.
   */
  private loadSubtree(nodes: Uint32Array, h: number, f: number, c: number): void {
    const { recordSize } = this.layout;
    const bytes = (c - f + 1) * recordSize;
    if (this.span.length < bytes) this.span = Buffer.alloc(bytes);
    const buf = this.readRecords(f, c - f + 1, this.span);
    const base = f;
    const fill = (h: number, f: number, c: number): void => {
      if (h >= this.treeSize) return;
      const line = Math.round((c - f) / 2) + f;
      if (this.loaded[h] === 0) this.setNode(nodes, h, buf, (line - base) * recordSize);
      if (f === c) return;
      if (f === c - 1) {
        // As find() does: one way on, to 2h.
        if (line === f) fill(2 * h, c, c);
        else fill(2 * h, f, f);
        return;
      }
      fill(2 * h, f, line);
      fill(2 * h + 1, line, c);
    };
    fill(h, f, c);
  }

  /** Read node h's keys, the start and end of record `line`, into the tree. */
  private loadNode(nodes: Uint32Array, h: number, line: number): void {
    this.setNode(nodes, h, this.readRecords(line, 1, this.scratch), 0);
  }

  /** Node h's keys from the record at `at` in `b`. */
  private setNode(nodes: Uint32Array, h: number, b: Buffer, at: number): void {
    const { end } = this.layout;
    const two = this.layout.words === 2;
    nodes[4 * h] = b.readUInt32BE(at);
    nodes[4 * h + 1] = two ? b.readUInt32BE(at + 4) : 0;
    nodes[4 * h + 2] = b.readUInt32BE(at + end);
    nodes[4 * h + 3] = two ? b.readUInt32BE(at + end + 4) : 0;
    this.loaded[h] = 1;
  }

  /**
   * geoip-lite's search for the key (ip0, ip1) (ip1 = 0 for IPv4): the buffer and offset of the
   * record it finds, or null for an address outside the table or in a gap.
   */
  find(ip0: number, ip1: number): { buf: Buffer; at: number } | null {
    if (!this.nodes) this.prepare();
    const nodes = this.nodes!;
    const loaded = this.loaded;
    if (cmp(ip0, ip1, this.last0, this.last1) > 0 || cmp(ip0, ip1, this.first0, this.first1) < 0) return null;
    let f = 0;
    let c = this.lastLine;
    let h = 1;
    while (h < this.treeSize) {
      const line = Math.round((c - f) / 2) + f;
      const k = 4 * h;
      if (loaded[h] === 0) {
        if (h >= this.subtreeFrom) this.loadSubtree(nodes, h, f, c);
        else this.loadNode(nodes, h, line);
      }
      const startAbove = cmp(nodes[k]!, nodes[k + 1]!, ip0, ip1) > 0;
      const endBelow = cmp(nodes[k + 2]!, nodes[k + 3]!, ip0, ip1) < 0;
      if (!startAbove && !endBelow) return { buf: this.readRecords(line, 1), at: 0 };
      if (f === c) return null;
      if (f === c - 1) {
        if (line === f) f = c;
        else c = f;
        h = 2 * h;
      } else if (startAbove) {
        c = line;
        h = 2 * h;
      } else {
        f = line;
        h = 2 * h + 1;
      }
    }
    // Out of the tree: every line the search can still visit is in [f, c]; read them in one go.
    const { recordSize, end } = this.layout;
    const two = this.layout.words === 2;
    const base = f;
    const buf = this.readRecords(base, c - f + 1);
    for (;;) {
      const line = Math.round((c - f) / 2) + f;
      const at = (line - base) * recordSize;
      const startAbove = cmp(buf.readUInt32BE(at), two ? buf.readUInt32BE(at + 4) : 0, ip0, ip1) > 0;
      const endBelow = cmp(buf.readUInt32BE(at + end), two ? buf.readUInt32BE(at + end + 4) : 0, ip0, ip1) < 0;
      if (!startAbove && !endBelow) return { buf, at };
      if (f === c) return null;
      if (f === c - 1) {
        if (line === f) f = c;
        else c = f;
      } else if (startAbove) {
        c = line;
      } else {
        f = line;
      }
    }
  }
}

/** geoip-lite's utils.aton4, kept as it is (it also parses what get4mapped leaves of an IPv6 address). */
function aton4(s: string): number {
  const a = s.split(/\./);
  return ((parseInt(a[0]!, 10) << 24) >>> 0) + ((parseInt(a[1]!, 10) << 16) >>> 0) + ((parseInt(a[2]!, 10) << 8) >>> 0) + (parseInt(a[3]!, 10) >>> 0);
}

/**
 * geoip-lite's utils.aton6, kept as it is, quirks included (in '::1' the 1 lands in both the third
 * and the last group), since the searched key must be the one geoip-lite searches. Only the first
 * two words (64 bits) are returned: geoip-lite compares no more.
 */
function aton6(s: string): [number, number] {
  const a: Array<string | number | undefined> = s.replace(/"/g, '').split(/:/);
  const l = a.length - 1;
  if (a[l] === '') a[l] = 0;
  if (l < 7) {
    a.length = 8;
    for (let i = l; i >= 0 && a[i] !== ''; i--) a[7 - l + i] = a[i];
  }
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    const v = a[i];
    g.push(!v ? 0 : parseInt(String(v), 16));
  }
  return [((g[0]! << 16) + g[1]!) >>> 0, ((g[2]! << 16) + g[3]!) >>> 0];
}

/** geoip-lite's get4mapped: the IPv4 part of '::ffff:a.b.c.d' (any case), or null. */
function get4mapped(ip: string): string | null {
  const up = ip.toUpperCase();
  for (const prefix of ['0:0:0:0:0:FFFF:', '::FFFF:']) {
    if (up.indexOf(prefix) === 0) return up.substring(prefix.length);
  }
  return null;
}

/** The data folder geoip-lite reads: $GEODATADIR (relative to geoip-lite's lib folder), else its data/ folder. */
export function geoipDataDir(): string {
  const lib = path.join(path.dirname(require.resolve('geoip-lite/package.json')), 'lib');
  return path.resolve(lib, process.env.GEODATADIR || '../data/');
}

/**
 * geoip-lite's tables in one data folder. The constructor opens the files, choosing them as
 * geoip-lite's preload does: the city files, or the country files when the city (or, for IPv4,
 * the names) file is missing or the names or city6 file is empty. It throws when they cannot be
 * opened or have the wrong size.
 */
export class GeoipTables {
  private readonly v4: RangeTable;
  private readonly v6: RangeTable;
  /** geoip-city-names.dat, or -1 when absent (then IPv4 uses the country file, as in geoip-lite). */
  private readonly namesFd: number;
  private readonly name = Buffer.alloc(NAME_RECORD);
  private readonly fds: number[] = [];

  constructor(readonly dir: string) {
    try {
      const names = this.open('geoip-city-names.dat', 'if present and not empty');
      this.namesFd = names ? names.fd : -1;
      const city = names && this.open('geoip-city.dat', 'if present');
      this.v4 = city ? this.table(city, CITY4) : this.table(this.open('geoip-country.dat', 'required')!, COUNTRY4);
      const city6 = this.open('geoip-city6.dat', 'if present and not empty');
      this.v6 = city6 ? this.table(city6, CITY6) : this.table(this.open('geoip-country6.dat', 'required')!, COUNTRY6);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Open a data file; null when it may be absent (ENOENT or EBADF, as geoip-lite checks) and is. */
  private open(name: string, need: 'required' | 'if present' | 'if present and not empty'): OpenFile | null {
    const file = path.join(this.dir, name);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (need !== 'required' && (code === 'ENOENT' || code === 'EBADF')) return null;
      throw err;
    }
    const size = fs.fstatSync(fd).size;
    if (size === 0 && need === 'if present and not empty') {
      fs.closeSync(fd);
      return null;
    }
    this.fds.push(fd);
    return { file, fd, size };
  }

  private table(f: OpenFile, layout: Layout): RangeTable {
    return new RangeTable(f.file, f.fd, layout, f.size);
  }

  /** Which tables have been searched so far (for tests). */
  get used(): { v4: boolean; v6: boolean } {
    return { v4: this.v4.prepared, v6: this.v6.prepared };
  }

  /** Close the files (tables from `sharedGeoipTables` stay open for the process). */
  close(): void {
    for (const fd of this.fds.splice(0)) fs.closeSync(fd);
  }

  /** `require('geoip-lite').lookup(ip)`, for the fields in GeoipLiteResult. */
  lookup(ip: string): GeoipLiteResult | null {
    if (!ip) return null;
    const family = net.isIP(ip);
    if (family === 4) return this.lookup4(aton4(ip));
    if (family === 6) {
      const v4 = get4mapped(ip);
      if (v4) return this.lookup4(aton4(v4));
      const [a, b] = aton6(ip);
      return this.result(this.v6, this.v6.find(a, b), [0, 0]);
    }
    return null;
  }

  private lookup4(ip: number): GeoipLiteResult | null {
    for (const [lo, hi] of PRIVATE4) if (ip >= lo && ip <= hi) return null;
    return this.result(this.v4, this.v4.find(ip, 0), [null, null]);
  }

  private result(table: RangeTable, hit: { buf: Buffer; at: number } | null, noLl: GeoipLiteResult['ll']): GeoipLiteResult | null {
    if (!hit) return null;
    const { buf, at } = hit;
    const L = table.layout;
    const out: GeoipLiteResult = { country: '', region: '', city: '', ll: [noLl[0], noLl[1]] };
    if (L.country !== undefined) {
      // geoip-lite strips NULs from the IPv6 country but not from the IPv4 one.
      const country = buf.toString('utf8', at + L.country, at + L.country + 2);
      out.country = L.words === 2 ? country.replace(NUL_TAIL, '') : country;
      return out;
    }
    const locId = buf.readUInt32BE(at + L.loc!);
    if (locId >= NO_LOCATION) return out;
    out.ll = [buf.readInt32BE(at + L.lat!) / 10000, buf.readInt32BE(at + L.lon!) / 10000];
    out.area = buf.readUInt32BE(at + L.area!);
    if (this.namesFd < 0) throw new Error(`${path.join(this.dir, 'geoip-city-names.dat')} is missing or empty but ${table.file} needs it`);
    if (fs.readSync(this.namesFd, this.name, 0, NAME_RECORD, locId * NAME_RECORD) !== NAME_RECORD) {
      throw new Error(`geoip-city-names.dat has no location ${locId} (${table.file} refers to it)`);
    }
    out.country = this.name.toString('utf8', 0, 2).replace(NUL_TAIL, '');
    out.region = this.name.toString('utf8', 2, 5).replace(NUL_TAIL, '');
    out.city = this.name.toString('utf8', 42, NAME_RECORD).replace(NUL_TAIL, '');
    return out;
  }
}

interface OpenFile {
  file: string;
  fd: number;
  size: number;
}

const shared = new Map<string, GeoipTables>();

/** For tests: whether the shared tables of `dir` are open and which have been searched; opens nothing. */
export function sharedGeoipTablesState(dir: string = geoipDataDir()): { open: boolean; v4: boolean; v6: boolean } {
  const t = shared.get(dir);
  return { open: t !== undefined, v4: t?.used.v4 ?? false, v6: t?.used.v6 ?? false };
}

/**
 * The tables of geoip-lite's data folder (see geoipDataDir), opened once per process and folder.
 * Throws when the files cannot be opened; a later call tries again.
 */
export function sharedGeoipTables(dir: string = geoipDataDir()): GeoipTables {
  let t = shared.get(dir);
  if (!t) {
    t = new GeoipTables(dir);
    shared.set(dir, t);
  }
  return t;
}
