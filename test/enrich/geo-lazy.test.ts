import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createGeoLookup } from '../../src/enrich/index.js';
import { ConfigError } from '../../src/rules/index.js';

const require = createRequire(import.meta.url);
const loaded = (): boolean => Object.keys(require.cache).some((k) => k.includes(`geoip-lite${path.sep}lib${path.sep}geoip.js`));

describe('GeoIP loading', () => {
  it('does not load geoip-lite until the first public IP is looked up', () => {
    const geo = createGeoLookup();
    expect(loaded()).toBe(false);
    geo('10.0.0.1');
    expect(loaded()).toBe(false);
    expect(geo('5.48.77.40')).toMatchObject({ country: 'FR' });
    expect(loaded()).toBe(true);
  });

  it('asks for the optional maxmind package when --geoip-db is given without it', () => {
    const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'apilog-geo-')), 'GeoLite2-City.mmdb');
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
