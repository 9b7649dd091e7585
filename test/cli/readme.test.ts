/**
 * Every runnable example in the README is run here, as a user would type it: `sh` code blocks,
 * lines starting with `apilog` or `npx apilog`. A trailing `# exit N` states the expected exit code
 * (0 otherwise). Blocks meant as a synopsis (with <placeholders>) are written as `text` blocks.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../helpers/cli.js';
import { tempDirs } from '../helpers/temp.js';

const tempDir = tempDirs();

interface Example {
  command: string;
  exit: number;
}

function readmeExamples(): Example[] {
  const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const out: Example[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block[1]!.split('\n')) {
      const line = raw.trim();
      if (!/^(npx )?apilog /.test(line)) continue;
      const m = /\s#\s*exit (\d+)\s*$/.exec(line);
      const command = line.replace(/\s#.*$/, '').replace(/^npx apilog /, 'apilog ');
      out.push({ command, exit: m ? Number(m[1]) : 0 });
    }
  }
  return out;
}

/** A folder with an `apilog` on PATH that runs this checkout's binary. */
function shimDir(): string {
  const dir = tempDir('apilog-readme-');
  const shim = path.join(dir, 'apilog');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

describe('README examples', () => {
  const examples = readmeExamples();
  const bin = shimDir();
  const work = tempDir('apilog-readme-work-');

  it('has runnable examples (analyze on a bundled fixture, jq, CI)', () => {
    expect(examples.some((e) => e.command.startsWith('apilog analyze fixtures/'))).toBe(true);
    expect(examples.some((e) => e.command.includes('| jq'))).toBe(true);
    expect(examples.some((e) => e.command.includes('--fail-on'))).toBe(true);
  });

  it('its rules examples load (apilog rules --rules FILE exits 0 and takes their values)', () => {
    const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const [i, yaml] of blocks.entries()) {
      const file = path.join(work, `readme-rules-${i}.yaml`);
      writeFileSync(file, yaml);
      const res = spawnSync(process.execPath, [BIN, 'rules', '--rules', file, '--format', 'json'], { cwd: ROOT, encoding: 'utf8' });
      expect(res.status, res.stderr).toBe(0);
      expect(res.stdout).toContain(file);
    }
  });

  for (const ex of examples) {
    it(ex.command, () => {
      // Examples run from the repository (fixtures/ paths) but write their files to a temp folder.
      const command = ex.command.replace(/-o (\S+)/g, (_m, f: string) => `-o ${path.join(work, path.basename(f))}`);
      const res = spawnSync('bash', ['-o', 'pipefail', '-c', command], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(res.status, res.stderr).toBe(ex.exit);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      if (command.includes('| jq')) {
        // jq found what the example selects: at least one JSON value per line.
        const lines = res.stdout.trim().split('\n').filter(Boolean);
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) expect(typeof JSON.parse(l)).toBe('object');
      }
    });
  }
});
