/**
 * Loading Sigma rule files: every `.yml`/`.yaml` file under the given paths (folders recursively),
 * every YAML document in each. A rule apilog cannot run is listed in `rejected` with the reason;
 * nothing is dropped silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { compileRule } from './compile.js';
import { SigmaRuleError, type CompiledSigmaRule, type SigmaLoadResult, type SigmaRejection } from './types.js';

function yamlFiles(p: string, out: string[], seen: Set<string>, rejected: SigmaRejection[], depth = 0): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (err) {
    rejected.push({ file: p, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return;
  }
  if (st.isDirectory()) {
    let real: string;
    try {
      real = fs.realpathSync(p);
    } catch {
      real = p;
    }
    if (seen.has(real) || depth > 32) return;
    seen.add(real);
    let names: string[];
    try {
      names = fs.readdirSync(p).sort();
    } catch (err) {
      rejected.push({ file: p, reason: `cannot read folder: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return;
    }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const child = path.join(p, n);
      let cst: fs.Stats;
      try {
        cst = fs.statSync(child);
      } catch {
        continue;
      }
      if (cst.isDirectory()) yamlFiles(child, out, seen, rejected, depth + 1);
      else if (/\.ya?ml$/i.test(n)) out.push(child);
    }
    return;
  }
  out.push(p);
}

function docTitle(d: unknown): { id?: string; title?: string } {
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return {};
  const o = d as Record<string, unknown>;
  return {
    ...(typeof o.id === 'string' ? { id: o.id } : {}),
    ...(typeof o.title === 'string' ? { title: o.title } : {}),
  };
}

/** Load and compile Sigma rules from files and folders. Rule ids must be unique across all files. */
export function loadSigmaRules(paths: string[]): SigmaLoadResult {
  const rules: CompiledSigmaRule[] = [];
  const rejected: SigmaRejection[] = [];
  const files: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) yamlFiles(p, files, seen, rejected);
  const byId = new Map<string, string>();
  for (const file of [...new Set(files)]) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      rejected.push({ file, reason: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      continue;
    }
    let docs: YAML.Document.Parsed[];
    try {
      docs = YAML.parseAllDocuments(text, { uniqueKeys: true }) as YAML.Document.Parsed[];
      if (!Array.isArray(docs)) docs = [docs as unknown as YAML.Document.Parsed];
    } catch (err) {
      rejected.push({ file, reason: `not valid YAML: ${(err as Error).message.split('\n')[0]}` });
      continue;
    }
    const base = path.basename(file).replace(/\.ya?ml$/i, '');
    const count = docs.filter((d) => d.contents !== null).length;
    let n = 0;
    for (const d of docs) {
      if (d.contents === null) continue;
      n++;
      if (d.errors.length > 0) {
        rejected.push({ file, reason: `not valid YAML: ${d.errors[0]!.message.split('\n')[0]}` });
        continue;
      }
      let value: unknown;
      try {
        value = d.toJS({ maxAliasCount: 1000 });
      } catch (err) {
        rejected.push({ file, reason: `not valid YAML: ${(err as Error).message.split('\n')[0]}` });
        continue;
      }
      const meta = docTitle(value);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        rejected.push({ file, ...meta, reason: 'a Sigma rule is a YAML mapping' });
        continue;
      }
      try {
        const rule = compileRule(value as Record<string, unknown>, file, count > 1 ? `${base}#${n}` : base);
        const prev = byId.get(rule.id);
        if (prev !== undefined) {
          rejected.push({ file, id: rule.id, title: rule.title, reason: `duplicate rule id (first loaded from ${prev})` });
          continue;
        }
        byId.set(rule.id, file);
        rules.push(rule);
      } catch (err) {
        if (err instanceof SigmaRuleError) rejected.push({ file, ...meta, reason: err.message });
        else rejected.push({ file, ...meta, reason: `cannot compile: ${(err as Error).message}` });
      }
    }
  }
  return { rules, rejected };
}
