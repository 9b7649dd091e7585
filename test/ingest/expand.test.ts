import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expandInputs, openSource } from '../../src/ingest/index.js';
import { fsErrorIssue } from '../../src/ingest/text.js';
import { DEFAULT_INGEST_LIMITS, type IngestIssue } from '../../src/ingest/types.js';
import { readFile, tempDir } from './helpers.js';

let tmp = tempDir();
afterEach(() => {
  tmp.cleanup();
  tmp = tempDir();
});

function tree(): string {
  tmp.file('logs/b.log', '{"n":"b"}\n');
  tmp.file('logs/a.log', '{"n":"a"}\n');
  tmp.file('logs/notes.txt', 'hello\n');
  tmp.file('logs/.hidden.log', '{"n":"hidden"}\n');
  tmp.file('logs/.git/x.log', '{"n":"git"}\n');
  tmp.file('logs/2024/05/01/app.log.gz', 'x');
  tmp.file('logs/2024/05/02/app.log', '{"n":"0502"}\n');
  tmp.file('logs/archive/old.log', '{"n":"old"}\n');
  tmp.file('logs/Z.log', '{"n":"Z"}\n');
  return path.join(tmp.dir, 'logs');
}

describe('expandInputs', () => {
  it('walks folders recursively in a deterministic order, skipping hidden entries', async () => {
    const root = tree();
    const { sources, issues } = await expandInputs([root], {});
    expect(issues).toEqual([]);
    expect(sources.map((s) => path.relative(root, s.path))).toEqual([
      '2024/05/01/app.log.gz',
      '2024/05/02/app.log',
      'Z.log',
      'a.log',
      'archive/old.log',
      'b.log',
      'notes.txt',
    ]);
    expect(sources.every((s) => s.kind === 'file' && s.path.startsWith(`${root}/`))).toBe(true);
    expect(sources.find((s) => s.path.endsWith('a.log'))?.size).toBe(10);
  });

  it('keeps the folder as the user wrote it in the paths', async () => {
    tree();
    const cwd = process.cwd();
    process.chdir(tmp.dir);
    try {
      const a = await expandInputs(['./logs/'], { include: ['a.log'] });
      expect(a.sources.map((s) => s.path)).toEqual(['./logs/a.log']);
      const b = await expandInputs(['logs'], { include: ['a.log'] });
      expect(b.sources.map((s) => s.path)).toEqual(['logs/a.log']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('applies --include / --exclude globs to the relative path and to the basename', async () => {
    const root = tree();
    const rel = async (include?: string[], exclude?: string[]): Promise<string[]> =>
      (await expandInputs([root], { include, exclude })).sources.map((s) => path.relative(root, s.path));
    expect(await rel(['*.log'])).toEqual(['2024/05/02/app.log', 'Z.log', 'a.log', 'archive/old.log', 'b.log']);
    expect(await rel(['*.log', '*.gz'], ['archive'])).toEqual(['2024/05/01/app.log.gz', '2024/05/02/app.log', 'Z.log', 'a.log', 'b.log']);
    expect(await rel(['2024/**'])).toEqual(['2024/05/01/app.log.gz', '2024/05/02/app.log']);
    expect(await rel(undefined, ['**/05/**', '*.txt'])).toEqual(['Z.log', 'a.log', 'archive/old.log', 'b.log']);
    expect(await rel(['{a,b}.log'])).toEqual(['a.log', 'b.log']);
  });

  it('names missing inputs as issues and keeps going; files named explicitly ignore the filters', async () => {
    const root = tree();
    const missing = path.join(tmp.dir, 'nope.log');
    const explicit = path.join(root, 'notes.txt');
    const { sources, issues } = await expandInputs([missing, explicit, '-', '-'], { include: ['*.log'] });
    expect(sources).toEqual([
      { path: explicit, kind: 'file', size: 6 },
      { path: '-', kind: 'stdin' },
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'not-found', file: missing });
    expect(issues[0]?.message).toContain('nope.log');
  });

  it('reads the same file once, however it is reached', async () => {
    const root = tree();
    fs.symlinkSync(path.join(root, 'a.log'), path.join(root, 'link-to-a.log'));
    const { sources } = await expandInputs([path.join(root, 'a.log'), root], { include: ['*.log'] });
    expect(sources.filter((s) => s.path.endsWith('a.log'))).toHaveLength(1);
  });

  it('detects symlink loops and reports them as directory-loop', async () => {
    const root = tree();
    fs.symlinkSync('..', path.join(root, '2024', 'up'));
    fs.symlinkSync(root, path.join(root, 'archive', 'self'));
    fs.symlinkSync('loop-b', path.join(root, 'loop-a'));
    fs.symlinkSync('loop-a', path.join(root, 'loop-b'));
    fs.symlinkSync(path.join(tmp.dir, 'gone'), path.join(root, 'dangling.log'));
    const { sources, issues } = await expandInputs([root], {});
    expect(sources).toHaveLength(7);
    const byKind = issues.map((i) => [i.kind, path.relative(root, i.file)]).sort();
    expect(byKind).toEqual([
      ['directory-loop', '2024/up'],
      ['directory-loop', 'archive/self'],
      ['directory-loop', 'loop-a'],
      ['directory-loop', 'loop-b'],
      ['not-found', 'dangling.log'],
    ]);
    for (const i of issues) expect(i.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it('follows a symlink to a folder outside the tree', async () => {
    const root = tree();
    tmp.file('elsewhere/e.log', '{"n":"e"}\n');
    fs.symlinkSync(path.join(tmp.dir, 'elsewhere'), path.join(root, 'linked'));
    const { sources, issues } = await expandInputs([root], { include: ['*.log'] });
    expect(issues).toEqual([]);
    expect(sources.map((s) => path.relative(root, s.path))).toContain('linked/e.log');
  });

  it('maps fs errors to issue kinds', () => {
    const mk = (code: string): Error => Object.assign(new Error(`${code}: something, open 'x'`), { code });
    expect(fsErrorIssue(mk('ENOENT'), 'x')).toMatchObject({ kind: 'not-found', file: 'x' });
    expect(fsErrorIssue(mk('EACCES'), 'x')).toEqual({ kind: 'permission-denied', file: 'x', message: 'cannot read x: permission denied' });
    expect(fsErrorIssue(mk('EPERM'), 'x').kind).toBe('permission-denied');
    expect(fsErrorIssue(mk('EISDIR'), 'x').kind).toBe('unreadable');
    expect(fsErrorIssue(mk('EIO'), 'x')).toMatchObject({ kind: 'unreadable' });
    expect(fsErrorIssue(mk('ELOOP'), 'x').kind).toBe('directory-loop');
    expect(fsErrorIssue(new Error('weird'), 'a\nb').message).toBe('cannot read a\\nb: weird');
  });

  it('reports an unreadable folder as permission-denied (when the process can be denied)', async () => {
    const root = tree();
    const locked = path.join(root, 'archive');
    fs.chmodSync(locked, 0o000);
    try {
      const { issues } = await expandInputs([root], {});
      let denied = true;
      try {
        fs.readdirSync(locked);
        denied = false; // running as root: permissions are not enforced
      } catch {
        // expected for normal users
      }
      expect(issues.map((i) => i.kind)).toEqual(denied ? ['permission-denied'] : []);
    } finally {
      fs.chmodSync(locked, 0o755);
    }
  });
});

describe('openSource errors', () => {
  it('turns ENOENT and EISDIR into issues, never exceptions', async () => {
    const missing = await readFile(path.join(tmp.dir, 'missing.log'));
    expect(missing.records).toEqual([]);
    expect(missing.issues).toEqual([{ kind: 'not-found', file: path.join(tmp.dir, 'missing.log'), message: expect.stringContaining('missing.log') as unknown as string }]);
    const dir = await readFile(tmp.dir);
    expect(dir.issues.map((i) => i.kind)).toEqual(['unreadable']);
    expect(dir.stats.skipped.unreadable).toBe(1);
  });

  it('reads a source only once', async () => {
    const p = tmp.file('once.log', '{"a":1}\n');
    const issues: IngestIssue[] = [];
    const s = openSource({ path: p, kind: 'file' }, DEFAULT_INGEST_LIMITS, (i) => issues.push(i));
    let n = 0;
    for await (const b of s.batches()) n += b.length;
    for await (const b of s.batches()) n += b.length;
    expect(n).toBe(1);
  });

  it('stops cleanly when the consumer stops early', async () => {
    let text = '';
    for (let i = 0; i < 50_000; i++) text += `{"i":${i}}\n`;
    const p = tmp.file('early.log', text);
    const s = openSource({ path: p, kind: 'file' }, DEFAULT_INGEST_LIMITS, () => {}, { highWaterMark: 4096 });
    let first = 0;
    for await (const b of s.batches()) {
      first = b.length;
      break;
    }
    expect(first).toBeGreaterThan(0);
  });
});
