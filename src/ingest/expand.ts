/**
 * Expanding the inputs named on the command line into sources: files, folders (recursive, sorted,
 * hidden entries skipped, symlink loops detected) and "-" for stdin. Problems become issues.
 */

import fsp from 'node:fs/promises';
import type { Stats } from 'node:fs';
import picomatch from 'picomatch';
import type { IngestIssue, InputSource } from './types.js';
import { escapeControl, fsErrorIssue } from './text.js';
import { dropIdenticalFiles, type IdenticalFile } from './identical.js';

export interface ExpandOptions {
  /** Globs; in folders, only files matching one of them (relative path or basename) are read. */
  include?: string[];
  /** Globs; files and folders matching one of them (relative path or basename) are skipped. */
  exclude?: string[];
  /** Read a file with the same bytes as an earlier input only once (not when following growing files). */
  dropIdentical?: boolean;
  /**
   * Files never read (the report's own -o file): a report left in a log folder by an earlier run
   * is not analysed as a log. Named explicitly, it is an issue; a folder walk passes it by.
   */
  skip?: string[];
  /**
   * A file named explicitly that does not exist is a source, not an issue (`--follow`: a log may be
   * created after following starts; the follower says it waits for it).
   */
  keepMissing?: boolean;
}

export interface Expanded {
  sources: InputSource[];
  issues: IngestIssue[];
  /** Files left out because an earlier input has the same bytes. */
  identical: IdenticalFile[];
}

type Matcher = (s: string) => boolean;

function matcher(globs: string[] | undefined): Matcher | null {
  const list = (globs ?? []).filter((g) => g !== '');
  if (list.length === 0) return null;
  return picomatch(list, { dot: true });
}

function idOf(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

/** Join a folder as the user wrote it with a relative path using "/". */
function joinUser(root: string, rel: string): string {
  return root.endsWith('/') || root.endsWith('\\') ? root + rel : `${root}/${rel}`;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const STAT_BATCH = 64;

/**
 * Files named explicitly are always read (the filters only narrow folder contents). The same file
 * reached twice (named twice, or through a symlink) is read once, and so, with `dropIdentical`, is a
 * file with the same bytes as an earlier one (src/ingest/identical.ts). Sources keep the order of
 * `inputs`; a folder's files come in code-point order of their relative paths, depth first.
 */
export async function expandInputs(inputs: string[], opts: ExpandOptions = {}): Promise<Expanded> {
  const sources: InputSource[] = [];
  const issues: IngestIssue[] = [];
  const include = matcher(opts.include);
  const exclude = matcher(opts.exclude);
  const seenFiles = new Set<string>();
  const walkedDirs = new Set<string>();
  let stdin = false;
  const skipped = new Set<string>();
  for (const p of opts.skip ?? []) {
    try {
      skipped.add(idOf(await fsp.stat(p)));
    } catch {
      // Not there yet: nothing to pass by.
    }
  }

  const addFile = (path: string, st: Stats): void => {
    if (st.isFile()) {
      const id = idOf(st);
      if (skipped.has(id) || seenFiles.has(id)) return;
      seenFiles.add(id);
      sources.push({ path, kind: 'file', size: st.size });
    } else {
      // FIFO, /dev/fd/N from process substitution, character devices: read as a stream
      sources.push({ path, kind: 'file' });
    }
  };

  async function walk(rel: string, dirPath: string, ancestors: Map<string, string>): Promise<void> {
    let names: string[];
    try {
      names = (await fsp.readdir(dirPath)).filter((n) => !n.startsWith('.')).sort(byName);
    } catch (err) {
      issues.push(fsErrorIssue(err, dirPath));
      return;
    }
    for (let k = 0; k < names.length; k += STAT_BATCH) {
      const part = names.slice(k, k + STAT_BATCH);
      const stats = await Promise.all(
        part.map(async (name) => {
          const childPath = joinUser(dirPath, name);
          try {
            return { name, childPath, st: await fsp.stat(childPath), err: null as unknown };
          } catch (err) {
            return { name, childPath, st: null, err };
          }
        }),
      );
      for (const { name, childPath, st, err } of stats) {
        const childRel = rel === '' ? name : `${rel}/${name}`;
        if (st === null) {
          issues.push(fsErrorIssue(err, childPath));
          continue;
        }
        if (st.isDirectory()) {
          if (exclude !== null && (exclude(childRel) || exclude(name))) continue;
          const id = idOf(st);
          const ancestor = ancestors.get(id);
          if (ancestor !== undefined) {
            issues.push({
              kind: 'directory-loop',
              file: childPath,
              message: `symbolic link loop: ${escapeControl(childPath)} leads back to ${escapeControl(ancestor)}; not followed`,
            });
            continue;
          }
          if (walkedDirs.has(id)) continue;
          walkedDirs.add(id);
          const next = new Map(ancestors);
          next.set(id, childPath);
          await walk(childRel, childPath, next);
          continue;
        }
        if (include !== null && !include(childRel) && !include(name)) continue;
        if (exclude !== null && (exclude(childRel) || exclude(name))) continue;
        if (st.isFile()) addFile(childPath, st);
        else issues.push({ kind: 'unreadable', file: childPath, message: `${escapeControl(childPath)} is not a regular file; skipped` });
      }
    }
  }

  for (const input of inputs) {
    if (input === '-') {
      if (!stdin) sources.push({ path: '-', kind: 'stdin' });
      stdin = true;
      continue;
    }
    let st: Stats;
    try {
      st = await fsp.stat(input);
    } catch (err) {
      if (opts.keepMissing && (err as NodeJS.ErrnoException).code === 'ENOENT') sources.push({ path: input, kind: 'file' });
      else issues.push(fsErrorIssue(err, input));
      continue;
    }
    if (skipped.has(idOf(st))) {
      issues.push({ kind: 'unreadable', file: input, message: `${escapeControl(input)} is the report's output file; not read as an input` });
      continue;
    }
    if (st.isDirectory()) {
      const id = idOf(st);
      if (walkedDirs.has(id)) continue;
      walkedDirs.add(id);
      await walk('', input, new Map([[id, input]]));
    } else {
      addFile(input, st);
    }
  }
  const unique = opts.dropIdentical ? await dropIdenticalFiles(sources) : { sources, identical: [] };
  return { sources: unique.sources, issues, identical: unique.identical };
}
