/**
 * GeoIP lookup. By default, geoip-lite's data files (bundled, ~146 MB) are read in place by
 * ./geoip-tables.ts, which gives geoip-lite's answers without loading the tables into memory; they
 * are opened on the first lookup only, so commands that never locate an IP never touch them. With
 * `dbPath`, a MaxMind .mmdb file is read through the `maxmind` package (MaxMind's own reader) instead.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError } from '../rules/errors.js';
import { reservedRange } from './reserved.js';
import { GenerationCache } from './cache.js';
import { sharedGeoipTables } from './geoip-tables.js';
import type { GeoInfo, GeoLookup } from './types.js';

const require = createRequire(import.meta.url);
/** IPs whose location is cached (two generations of this many). */
const CACHE_HALF = 50_000;

type Resolver = (ip: string) => GeoInfo | null;

interface MmdbCity {
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  subdivisions?: Array<{ iso_code?: string }>;
  city?: { names?: Record<string, string> };
  location?: { latitude?: number; longitude?: number; accuracy_radius?: number };
}

/** geoip-lite's data; opening it (at the first lookup) throws when a data file cannot be opened. */
function fromGeoipLite(): Resolver {
  const g = sharedGeoipTables();
  return (ip) => {
    const r = g.lookup(ip);
    if (!r) return null;
    const info: GeoInfo = {};
    if (r.country) info.country = r.country;
    if (r.region) info.region = r.region;
    if (r.city) info.city = r.city;
    const [lat, lon] = r.ll;
    if (lat !== null && lon !== null && Number.isFinite(lat) && Number.isFinite(lon) && !(lat === 0 && lon === 0)) {
      info.lat = lat;
      info.lon = lon;
    }
    if (typeof r.area === 'number' && r.area > 0) info.radiusKm = r.area;
    return info.country || info.lat !== undefined ? info : null;
  };
}

function fromMmdb(dbPath: string): Resolver {
  // Loaded synchronously so the lookup stays a plain call per event (see docs/architecture.md).
  const mod = require('maxmind') as { Reader: new (buf: Buffer) => { get(ip: string): MmdbCity | null } };
  const reader = new mod.Reader(fs.readFileSync(dbPath));
  return (ip) => {
    const r = reader.get(ip);
    if (!r) return null;
    const info: GeoInfo = {};
    const country = r.country?.iso_code ?? r.registered_country?.iso_code;
    if (country) info.country = country;
    const region = r.subdivisions?.[0]?.iso_code;
    if (region) info.region = region;
    const city = r.city?.names?.en;
    if (city) info.city = city;
    if (typeof r.location?.latitude === 'number' && typeof r.location.longitude === 'number') {
      info.lat = r.location.latitude;
      info.lon = r.location.longitude;
    }
    if (typeof r.location?.accuracy_radius === 'number') info.radiusKm = r.location.accuracy_radius;
    return info.country || info.lat !== undefined ? info : null;
  };
}

/**
 * A cached, lazily loaded GeoIP lookup. Reserved ranges (private, loopback, CGNAT, documentation...)
 * come back as `{ reserved: name }` without touching the database. Throws ConfigError at once when
 * `dbPath` is given but unusable, so a run fails before reading any log.
 */
export function createGeoLookup(options: { dbPath?: string } = {}): GeoLookup {
  const { dbPath } = options;
  if (dbPath !== undefined) {
    try {
      require.resolve('maxmind');
    } catch {
      throw new ConfigError({ file: '--geoip-db', key: '', message: "--geoip-db needs the package 'maxmind' (reinstall apilog's dependencies: npm install)" });
    }
    if (!fs.existsSync(dbPath)) throw new ConfigError({ file: '--geoip-db', key: '', message: `GeoIP database not found: ${dbPath}` });
  }
  let resolve: Resolver | null = null;
  const cache = new GenerationCache<string, GeoInfo | null>(CACHE_HALF);
  return (ip) => {
    if (!ip) return null;
    const hit = cache.get(ip);
    if (hit !== undefined) return hit;
    let info: GeoInfo | null;
    const reserved = reservedRange(ip);
    if (reserved) {
      info = { reserved };
    } else {
      if (!resolve) {
        try {
          resolve = dbPath !== undefined ? fromMmdb(dbPath) : fromGeoipLite();
        } catch (err) {
          throw new ConfigError({ file: dbPath ?? 'geoip-lite', key: '', message: `cannot load the GeoIP database: ${(err as Error).message}` });
        }
      }
      info = resolve(ip);
    }
    cache.set(ip, info);
    return info;
  };
}
