import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadMapFile, parseMapKey } from '../../src/normalise/index.js';
import { tempDirs } from '../helpers/temp.js';

const dir = tempDirs()('apilog-map-');
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('loadMapFile', () => {
  it('reads JSON and YAML, flat or under map:/fields:', () => {
    expect(loadMapFile(file('m.json', '{"ts":"when","user":"who.name"}'))).toEqual({ ts: 'when', user: 'who.name' });
    expect(loadMapFile(file('m.yaml', 'ts: when\nuser: who.name\nip: " addr "\n'))).toEqual({ ts: 'when', user: 'who.name', ip: 'addr' });
    expect(loadMapFile(file('m2.yml', 'map:\n  status: code\n  latencyS: took\n'))).toEqual({ status: 'code', latencyS: 'took' });
    expect(loadMapFile(file('m3.json', '{"fields":{"path":"uri"}}'))).toEqual({ path: 'uri' });
    // A list: several paths for one field, the first present in a record winning.
    expect(loadMapFile(file('m4.yaml', 'user: [userId, jwt_sub]\n'))).toEqual({ user: 'userId\njwt_sub' });
  });

  it('errors name the file and the bad key', () => {
    const bad = file('bad.yaml', 'ts: when\nusr: who\n');
    expect(() => loadMapFile(bad)).toThrow(`${bad}: unknown canonical field "usr"`);
    const notString = file('ns.json', '{"status": 3}');
    expect(() => loadMapFile(notString)).toThrow(`${notString}: key "status" must map to a non-empty source path string (or a list of them)`);
    const list = file('list.yaml', '- a\n- b\n');
    expect(() => loadMapFile(list)).toThrow(`${list}: mapping file must hold an object`);
    const broken = file('broken.json', '{"ts": ');
    expect(() => loadMapFile(broken)).toThrow(`${broken}: mapping file is not valid JSON or YAML`);
    const missing = path.join(dir, 'nope.yaml');
    expect(() => loadMapFile(missing)).toThrow(`${missing}: cannot read mapping file (ENOENT)`);
  });
});

describe('parseMapKey', () => {
  it('canonical names, case-insensitively, and friendly synonyms', () => {
    expect(parseMapKey('ts')).toEqual({ field: 'ts', mod: '' });
    expect(parseMapKey('USERAGENT')).toEqual({ field: 'userAgent', mod: '' });
    expect(parseMapKey('user_agent')).toEqual({ field: 'userAgent', mod: '' });
    expect(parseMapKey('timestamp')).toEqual({ field: 'ts', mod: '' });
    expect(parseMapKey('latencyNs')).toEqual({ field: 'latencyMs', mod: 'ns' });
    expect(parseMapKey('xff')).toEqual({ field: 'ip', mod: 'xff' });
    expect(parseMapKey('bogus')).toBeUndefined();
  });
});
