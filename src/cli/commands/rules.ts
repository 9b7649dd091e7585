/** `apilog rules`: detectors, their options, and where each value came from. */
import { describeRules, loadRules } from '../../rules/index.js';
import { builtinDetectors } from '../../detect/index.js';
import { loadSigmaRules } from '../../sigma/index.js';
import { arr, str, table, write, writeJson, type Opts } from './shared.js';
import { exitWithError } from '../errors.js';

export async function rulesCommand(o: Opts): Promise<number> {
  try {
    const rules = loadRules(arr(o.rules));
    const rows = describeRules(rules, builtinDetectors);
    const detectors = builtinDetectors.map((d) => ({
      id: d.meta.id,
      title: d.meta.title,
      severity: d.meta.severity,
      references: d.meta.references,
      description: d.meta.description,
    }));
    const sigma = arr(o.sigma).length > 0 ? loadSigmaRules(arr(o.sigma)) : undefined;
    const sigmaRows = sigma
      ? [
          ...sigma.rules.map((r) => ({ id: r.id, title: r.title, status: 'runs', reason: '' })),
          ...sigma.rejected.map((r) => ({ id: r.id ?? '', title: r.title ?? r.file, status: 'not run', reason: r.reason })),
        ]
      : [];
    if (str(o.format) === 'json') {
      writeJson({ detectors, options: rows, sigma: sigmaRows });
      return 0;
    }
    write(table(['rule', 'title', 'default severity', 'references'], detectors.map((d) => [d.id, d.title, d.severity, d.references.join(', ')])));
    write(table(['detector', 'option', 'value', 'from'], rows.map((r) => [r.detector, r.option, r.value, r.origin])));
    if (sigma) write(table(['sigma rule', 'title', 'status', 'reason'], sigmaRows.map((r) => [r.id, r.title, r.status, r.reason])));
    return 0;
  } catch (err) {
    exitWithError(err);
    return Number(process.exitCode ?? 70);
  }
}
