import { describe, expect, it } from 'vitest';
import { createBaselineLearner } from '../../src/baseline/index.js';
import { WEEK_GEO, generateWeek } from '../../fixtures/baseline/week.js';
import { fromFlat, stubGeo } from '../checklist/helpers.js';

describe("a baseline learned with scope 'fit'", () => {
  const events = generateWeek('2024-05-06', 42).map((r, i) => fromFlat(r, 'week.ndjson', i + 1));
  const learn = (scope: 'full' | 'fit') => {
    const learner = createBaselineLearner({ geo: stubGeo(WEEK_GEO), scope, now: () => new Date('2024-05-13T00:00:00Z') });
    for (const e of events) learner.add(e);
    return learner.finish();
  };
  const full = learn('full');
  const fit = learn('fit');

  it('holds what question 10 reads exactly as a full one', () => {
    expect(Object.keys(fit.actors)).toEqual(Object.keys(full.actors));
    expect(fit.period).toEqual(full.period);
    for (const [actor, f] of Object.entries(full.actors)) {
      const a = fit.actors[actor]!;
      expect(a.hoursOfWeek).toEqual(f.hoursOfWeek);
      expect(a.routes).toEqual(f.routes);
      expect(a.countries).toEqual(f.countries);
      expect(a.requestsPerHour).toEqual(f.requestsPerHour);
      expect(a.bytesPerHour).toEqual(f.bytesPerHour);
    }
  });

  it('leaves out IPs, object ids and the per-route tables', () => {
    expect(Object.keys(full.routes).length).toBeGreaterThan(0);
    expect(fit.routes).toEqual({});
    for (const a of Object.values(fit.actors)) {
      expect(a.ips).toEqual({});
      expect(a.ownIds).toBeUndefined();
    }
    expect(Object.values(full.actors).some((a) => Object.keys(a.ips).length > 0)).toBe(true);
  });
});
