import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createGeoLookup } from '../../src/enrich/index.js';
import { sharedGeoipTablesState } from '../../src/enrich/geoip-tables.js';
import { ConfigError } from '../../src/rules/index.js';
import { tempDirs } from '../helpers/temp.js';

const tempDir = tempDirs();

const require = createRequire(import.meta.url);
const loaded = (): boolean => Object.keys(require.cache).some((k) => k.includes(`geoip-lite${path.sep}lib${path.sep}geoip.js`));

describe('GeoIP loading', () => {
  it("opens geoip-lite's data at the first public IP, the IPv6 table at the first IPv6 one, and never loads it whole", () => {
    const external = process.memoryUsage().arrayBuffers;
    const geo = createGeoLookup();
    expect(sharedGeoipTablesState()).toEqual({ open: false, v4: false, v6: false });
    geo('10.0.0.1');
    expect(sharedGeoipTablesState()).toEqual({ open: false, v4: false, v6: false });
    expect(geo('5.48.77.40')).toMatchObject({ country: 'FR' });
    expect(sharedGeoipTablesState()).toEqual({ open: true, v4: true, v6: false });
    expect(geo('2a01:cb00::1')).toMatchObject({ country: 'FR', city: 'Paris' });
    expect(sharedGeoipTablesState()).toEqual({ open: true, v4: true, v6: true });
    // geoip-lite itself (which reads its ~146 MB of tables into Buffers when loaded) stays unloaded.
    expect(loaded()).toBe(false);
    expect(process.memoryUsage().arrayBuffers - external).toBeLessThan(16 * 1024 * 1024);
  });

  it('asks for the optional maxmind package when --geoip-db is given without it', () => {
    const db = path.join(tempDir('apilog-geo-'), 'GeoLite2-City.mmdb');
    fs.writeFileSync(db, 'x');
    let hasMaxmind = true;
    try {
      require.resolve('maxmind');
    } catch {
      hasMaxmind = false;
    }
    if (!hasMaxmind) {
      expect(() => createGeoLookup({ dbPath: db })).toThrow(ConfigError);
      expect(() => createGeoLookup({ dbPath: db })).toThrow("--geoip-db needs the optional package 'maxmind' (npm i maxmind)");
    } else {
      expect(() => createGeoLookup({ dbPath: path.join(db, 'missing') })).toThrow(/not found/);
    }
  });
});
