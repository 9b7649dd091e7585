import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureFiles, toNdjson } from '../../fixtures/scenarios/generate.js';
import { ROOT } from '../helpers/cli.js';

describe('checked-in scenario fixtures', () => {
  const files = fixtureFiles();

  it.each(files.map((f) => [f.file, f] as const))('%s is what the generator produces', (file, f) => {
    const onDisk = fs.readFileSync(path.join(ROOT, 'fixtures', file), 'utf8');
    expect(onDisk === toNdjson(f.data.records), `fixtures/${file} is stale: regenerate it (see fixtures/scenarios/write.ts)`).toBe(true);
  });

  it('labels.json matches the generator', () => {
    const labels = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/scenarios/labels.json'), 'utf8')) as Record<string, unknown>;
    for (const f of files) expect(labels[f.file]).toEqual({ labels: f.data.labels, quiet: f.data.quiet });
  });

  it('the README sample is compact and mixes all six attacks', () => {
    const sample = files.find((f) => f.file === 'incident-sample.ndjson')!;
    expect(sample.data.records.length).toBeLessThan(5000);
    expect(new Set(sample.data.labels.map((l) => l.rule)).size).toBe(6);
  });

  it('generation is deterministic', () => {
    expect(toNdjson(fixtureFiles()[0]!.data.records)).toBe(toNdjson(files[0]!.data.records));
  });
});
