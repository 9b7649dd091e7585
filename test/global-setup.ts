import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/**
 * CLI tests run the real binary (bin/apilog -> dist/). Build once before the suite so they test
 * the current source. Type errors are reported by `npm run typecheck`, not here: tsc still emits.
 */
export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'pipe',
    });
  } catch {
    // tsc exits non-zero on type errors but has emitted; the typecheck step fails the run for those.
  }
}
