import { describe, expect, it } from 'vitest';
import { respawnFlags, V8_FLAGS } from '../../bin/v8-flags.mjs';
import { runCli } from '../helpers/cli.js';

describe('the launcher: which V8 settings the analysis runs with', () => {
  it('adds both settings by default, none when Node was given a semi-space, and keeps a semi-space given in NODE_OPTIONS', () => {
    expect(respawnFlags([], undefined)).toEqual(V8_FLAGS);
    expect(respawnFlags(['--enable-source-maps'], '--max-old-space-size=4096')).toEqual(V8_FLAGS);
    expect(respawnFlags(['--max-semi-space-size=64'], undefined)).toBeNull();
    // NODE_OPTIONS may not hold --heap-growing-percent, and a command-line semi-space would override the user's.
    expect(respawnFlags([], '--max-old-space-size=4096 --max-semi-space-size=4')).toEqual(['--heap-growing-percent=50']);
    expect(respawnFlags([], '--max-semi-space-size=4')).toEqual(['--heap-growing-percent=50']);
  });

  it('never runs Node again from the process it re-ran (which inherits NODE_OPTIONS)', () => {
    for (const [execArgv, nodeOptions] of [
      [[], undefined],
      [['--enable-source-maps'], '--max-old-space-size=4096'],
      [[], '--max-semi-space-size=4'],
      [['--inspect'], '--stack-trace-limit=50 --max-semi-space-size=2'],
    ] as const) {
      const flags = respawnFlags(execArgv, nodeOptions);
      expect(flags).not.toBeNull();
      expect(respawnFlags([...execArgv, ...flags!], nodeOptions)).toBeNull();
    }
  });

  it('runs the analysis with a semi-space given in NODE_OPTIONS, with the same result', () => {
    const args = ['analyze', 'fixtures/incident-bola-enumeration.ndjson', '--format', 'ndjson'];
    const plain = runCli(args, { timeout: 60_000 });
    const small = runCli(args, { env: { NODE_OPTIONS: '--max-semi-space-size=4' }, timeout: 60_000 });
    expect(small.stderr).toBe(plain.stderr);
    expect(small.code).toBe(plain.code);
    const withoutTimes = (out: string) => out.replace(/"(elapsedMs|peakRssBytes|durationMs|eventsPerSecond)":[0-9.]+/g, '');
    expect(withoutTimes(small.stdout)).toBe(withoutTimes(plain.stdout));
    expect(small.stdout).toContain('"rule":"bola-enumeration"');
  });
});
