/** Every checked-in scenario through all six detectors at once. */
import { describe, expect, it } from 'vitest';
import { ATTACKS, LOOKALIKES, attackScenario, incidentSample, lookalikeScenario } from '../../fixtures/scenarios/generate.js';
import { atLeast, describe1, found, runFlat } from './helpers.js';

describe('scenarios through the whole pipeline', () => {
  it.each(ATTACKS)('incident %s: found with the right rule and subject, nothing else at medium+', (attack) => {
    const { records, labels } = attackScenario(attack);
    const alerts = atLeast(runFlat(records).alerts, 'medium');
    for (const l of labels) expect(found(alerts, l), JSON.stringify(l)).toBeDefined();
    expect(alerts.map(describe1)).toHaveLength(labels.length);
  });

  it.each(LOOKALIKES)('look-alike %s: quiet at medium and above', (name) => {
    const { records } = lookalikeScenario(name);
    expect(atLeast(runFlat(records).alerts, 'medium').map(describe1)).toEqual([]);
  });

  it('the README sample: all six attacks, and only them, at medium+', () => {
    const { records, labels } = incidentSample();
    const alerts = atLeast(runFlat(records).alerts, 'medium');
    for (const l of labels) expect(found(alerts, l), JSON.stringify(l)).toBeDefined();
    expect(alerts).toHaveLength(6);
  });
});
