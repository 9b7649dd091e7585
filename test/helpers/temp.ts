import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/**
 * Temp folders that do not outlive a test file. Call at the module top level (of a test file, or of
 * a helper module a test file imports): it registers an `afterAll` on that file, which removes every
 * folder the returned maker handed out. The maker makes `os.tmpdir()/<prefix>XXXXXX`.
 */
export function tempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) remove(dir);
  });
  return (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

function remove(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // An entry a test made unreadable (chmod 000) must not stop the cleanup: give it back, retry.
    restorePermissions(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function restorePermissions(p: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  try {
    fs.chmodSync(p, (st.mode & 0o7777) | 0o700);
  } catch {
    return;
  }
  for (const name of fs.readdirSync(p)) restorePermissions(path.join(p, name));
}
