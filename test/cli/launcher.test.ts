import { describe, expect, it } from 'vitest';
import { respawnFlags, V8_FLAGS } from '../../bin/v8-flags.mjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';

describe('the launcher: which V8 settings the analysis runs with', () => {
  it('adds both settings by default, none when Node was given a semi-space, and keeps a semi-space given in NODE_OPTIONS', () => {
    expect(respawnFlags([], undefined)).toEqual(V8_FLAGS);
    expect(respawnFlags(['--enable-source-maps'], '--max-old-space-size=4096')).toEqual(V8_FLAGS);
    expect(respawnFlags(['--max-semi-space-size=64'], undefined)).toBeNull();
    // NODE_OPTIONS may not hold --heap-growing-percent, and a command-line semi-space would override the user's.
    expect(respawnFlags([], '--max-old-space-size=4096 --max-semi-space-size=4')).toEqual(['--heap-growing-percent=50']);
    expect(respawnFlags([], '--max-semi-space-size=4')).toEqual(['--heap-growing-percent=50']);
    // V8 flags may be written with underscores.
    expect(respawnFlags([], '--max_semi_space_size=4')).toEqual(['--heap-growing-percent=50']);
    expect(respawnFlags(['--max_semi_space_size=64'], undefined)).toBeNull();
    expect(respawnFlags(['--heap_growing_percent=30'], undefined)).toBeNull();
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

  it('runs the analysis once, in one re-run process that keeps a semi-space given in NODE_OPTIONS, with the same result', () => {
    // A preload (in NODE_OPTIONS, so in every process) writes each process's command-line flags to a file.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apilog-launcher-'));
    const log = path.join(dir, 'argv.ndjson');
    const preload = path.join(dir, 'preload.cjs');
    fs.writeFileSync(preload, `require('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.execArgv) + '\\n');`);
    const args = ['analyze', 'fixtures/incident-bola-enumeration.ndjson', '--format', 'ndjson'];
    const plain = runCli(args, { timeout: 60_000 });
    const small = runCli(args, { env: { NODE_OPTIONS: `--max-semi-space-size=4 --require ${preload}` }, timeout: 60_000 });
    const processes = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    fs.rmSync(dir, { recursive: true, force: true });
    // The launcher and the analysis it re-ran; the analysis with the heap bound and no semi-space of its own.
    expect(processes).toHaveLength(2);
    expect(processes[1]).toContain('--heap-growing-percent=50');
    expect(processes[1]!.some((a) => a.startsWith('--max-semi-space-size'))).toBe(false);
    expect(small.stderr).toBe(plain.stderr);
    expect(small.code).toBe(plain.code);
    expect(small.stdout).toBe(plain.stdout);
    expect(small.stdout).toContain('"rule":"bola-enumeration"');
  });
});
