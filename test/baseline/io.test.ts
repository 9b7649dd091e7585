import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASELINE_SCHEMA_VERSION, BaselineError, createBaselineLearner, loadBaseline, saveBaseline } from '../../src/baseline/index.js';
import type { Baseline } from '../../src/baseline/index.js';
import { fromFlat } from '../checklist/helpers.js';
import { tempDirs } from '../helpers/temp.js';

const dir = tempDirs()('apilog-baseline-');

function small(): Baseline {
  const l = createBaselineLearner({ now: () => new Date('2024-05-13T00:00:00Z') });
  const t = Date.parse('2024-05-06T09:00:00Z');
  for (let i = 0; i < 20; i++) {
    l.add(fromFlat({ timestamp: new Date(t + i * 60_000).toISOString(), user_id: '7', ip: '81.2.69.10', method: 'GET', endpoint: `/api/v1/orders/${i % 3}`, bytes: 100, country: 'GB' }));
  }
  return l.finish();
}

function write(name: string, value: unknown): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

describe('saveBaseline / loadBaseline', () => {
  it('round-trips', () => {
    const b = small();
    const p = path.join(dir, 'b.json');
    saveBaseline(b, p);
    expect(loadBaseline(p)).toEqual(b);
    expect(b.schemaVersion).toBe(BASELINE_SCHEMA_VERSION);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps odd keys as plain data', () => {
    const b = small();
    Object.defineProperty(b.actors['user:7']!.countries, '__proto__', { value: 1, enumerable: true });
    const p = path.join(dir, 'proto.json');
    saveBaseline(b, p);
    const back = loadBaseline(p);
    expect(Object.prototype.hasOwnProperty.call(back.actors['user:7']!.countries, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the file and the bad key', () => {
    const good = JSON.parse(JSON.stringify(small())) as Record<string, unknown> & { actors: Record<string, Record<string, unknown>> };
    const bad1 = structuredClone(good);
    bad1.actors['user:7']!.hoursOfWeek = [1, 2, 3];
    const p1 = write('bad1.json', bad1);
    expect(() => loadBaseline(p1)).toThrow(BaselineError);
    expect(() => loadBaseline(p1)).toThrow(`baseline ${p1}: "actors["user:7"].hoursOfWeek" must be an array of 168 numbers`);

    const bad2 = structuredClone(good);
    (bad2.actors['user:7']!.requestsPerHour as Record<string, unknown>).p99 = 'many';
    const p2 = write('bad2.json', bad2);
    expect(() => loadBaseline(p2)).toThrow(`"actors["user:7"].requestsPerHour.p99" must be a finite number`);

    const bad3 = { ...good, schemaVersion: '2.0' };
    const p3 = write('bad3.json', bad3);
    expect(() => loadBaseline(p3)).toThrow(/"schemaVersion" is "2.0"; this apilog reads version 1.x/);

    const p4 = write('bad4.json', '{"actors": ');
    expect(() => loadBaseline(p4)).toThrow(new RegExp(`baseline ${p4.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is not valid JSON`));

    const p5 = write('bad5.json', { hello: 1 });
    expect(() => loadBaseline(p5)).toThrow(/"schemaVersion" is missing \(not an apilog baseline\?\)/);

    const bad6 = structuredClone(good);
    (bad6.routes as Record<string, Record<string, unknown>>)['GET /api/v1/orders/{id}']!.callers = { 'user:7': -1 };
    const p6 = write('bad6.json', bad6);
    expect(() => loadBaseline(p6)).toThrow(`"routes["GET /api/v1/orders/{id}"].callers["user:7"]" must be a non-negative number`);

    const p7 = path.join(dir, 'missing.json');
    expect(() => loadBaseline(p7)).toThrow(`baseline ${p7}: cannot be read (ENOENT)`);
    try {
      loadBaseline(p1);
    } catch (err) {
      expect((err as BaselineError).file).toBe(p1);
      expect((err as BaselineError).key).toBe('actors["user:7"].hoursOfWeek');
    }
  });
});

describe('learner caps', () => {
  it('records what the caps left out', () => {
    const l = createBaselineLearner({ caps: { actors: 2, ipsPerActor: 2, routes: 1, ownIdsPerTemplate: 2 } });
    const t = Date.parse('2024-05-06T09:00:00Z');
    const at = (i: number) => new Date(t + i * 1000).toISOString();
    for (let i = 0; i < 5; i++) l.add(fromFlat({ timestamp: at(i), user_id: 'a', ip: `10.0.0.${i}`, method: 'GET', endpoint: `/o/${i}` }));
    l.add(fromFlat({ timestamp: at(10), user_id: 'b', method: 'GET', endpoint: '/p' }));
    l.add(fromFlat({ timestamp: at(11), user_id: 'c', method: 'GET', endpoint: '/p' }));
    l.add(fromFlat({ timestamp: at(12), user_id: 'd', method: 'GET', endpoint: '/p' }));
    const b = l.finish();
    expect(Object.keys(b.actors)).toEqual(['user:a', 'user:b']);
    expect(b.dropped).toEqual({ actors: 2, routes: 1 });
    const a = b.actors['user:a']!;
    expect(Object.keys(a.ips)).toHaveLength(2);
    expect(a.truncated).toEqual({ ownIds: true, ips: true });
    expect(a.ownIds!['/o/{id}']).toHaveLength(2);
    expect(b.events).toBe(8);
    expect(Object.keys(b.routes)).toEqual(['GET /o/{id}']);
  });

  it('computes per-hour figures over active hours only', () => {
    const l = createBaselineLearner();
    const t = Date.parse('2024-05-06T09:00:00Z');
    // Hour 1: 2 requests, hour 2: 4, hour 3 (a day later): 6; 100 bytes each.
    const plan = [[0, 2], [1, 4], [25, 6]] as const;
    for (const [h, n] of plan) {
      for (let i = 0; i < n; i++) l.add(fromFlat({ timestamp: new Date(t + h * 3_600_000 + i * 60_000).toISOString(), user_id: 'a', method: 'GET', endpoint: `/x/${i}`, bytes: 100 }));
    }
    const a = l.finish().actors['user:a']!;
    expect(a.requestsPerHour).toEqual({ median: 4, p99: 6 });
    expect(a.bytesPerHour).toEqual({ median: 400, mad: 200, p99: 600 });
    expect(a.activeDays).toBe(2);
    expect(a.activeHours).toBe(3);
    expect(a.distinctIdsPer10m!['/x/{id}']).toBe(6);
  });
});
