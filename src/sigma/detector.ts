/**
 * Running Sigma rules as one apilog detector: every event is matched against every rule; matches are
 * grouped per (rule, actor) into incidents (a new incident after `incidentGapMinutes` without a
 * match). Each incident is one alert: rule `sigma:<id>`, severity from the rule's level, and the
 * rule's id, title and tags under `sigma`.
 */
import type { Alert, Detector } from '../detect/types.js';
import { keyedState } from '../detect/state.js';
import { actorName, bump, fmtDuration, Samples, subjectOfActor, topCounts } from '../detect/util/evidence.js';
import type { CompiledSigmaRule } from './types.js';
import { EventView } from './view.js';

export type SigmaDetectorOptions = {
  /** A quiet gap longer than this (minutes) starts a new incident for the same rule and actor. */
  incidentGapMinutes: number;
  /** Samples kept per incident. */
  maxSamples: number;
};

interface Incident {
  rule: CompiledSigmaRule;
  actor: string;
  start: number;
  end: number;
  matches: number;
  paths: Map<string, number>;
  statuses: Map<string, number>;
  samples: Samples;
}

function incidentAlert(i: Incident, maxSamples: number): Alert {
  const r = i.rule;
  const who = actorName(i.actor);
  const span = i.end > i.start ? ` over ${fmtDuration(i.end - i.start)}` : '';
  const evidence: Alert['evidence'] = {
    metrics: { matches: i.matches, distinctPaths: i.paths.size },
    thresholds: { matches: 1 },
    samples: i.samples.list([], maxSamples),
    statuses: topCounts(i.statuses, 8),
    topPaths: topCounts(i.paths, 5),
    ruleFile: r.file,
  };
  if (r.falsepositives.length > 0) evidence.falsepositives = r.falsepositives;
  if (r.description) evidence.description = r.description;
  return {
    rule: `sigma:${r.id}`,
    severity: r.severity,
    title: r.title,
    subject: subjectOfActor(i.actor),
    start: i.start,
    end: i.end,
    summary: `${i.matches} request${i.matches === 1 ? '' : 's'} from ${who} matched Sigma rule "${r.title}"${span} (${i.paths.size} distinct path${i.paths.size === 1 ? '' : 's'}).`,
    severityReason: `the rule's Sigma level is ${r.level}`,
    evidence,
    references: r.references,
    sigma: { id: r.id, title: r.title, tags: r.tags },
  };
}

export function createSigmaDetector(rules: CompiledSigmaRule[]): Detector<SigmaDetectorOptions> {
  return {
    meta: {
      id: 'sigma',
      title: 'Sigma rules',
      description: `${rules.length} Sigma rule${rules.length === 1 ? '' : 's'} (webserver/proxy) matched per request; matches grouped per rule and actor.`,
      severity: 'medium',
      references: ['https://github.com/SigmaHQ/sigma-specification'],
      options: { incidentGapMinutes: 30, maxSamples: 10 },
      // Referer, cookie and body fields, `raw.` paths and keywords are read from the record.
      readsRecord: true,
      mergeGapMs: (o) => o.incidentGapMinutes * 60_000,
    },
    create(ctx) {
      const o = ctx.options;
      const gapMs = o.incidentGapMinutes * 60_000;
      const view = new EventView(false);
      const table = keyedState<Incident>(ctx, {
        idleMs: gapMs,
        onRemove: (_k, inc) => ctx.report(incidentAlert(inc, o.maxSamples)),
      });
      return {
        event(e) {
          // Expire idle incidents (the table itself does a full pass only now and then).
          table.sweep(e.ts);
          view.reset(e);
          for (const r of rules) {
            if (!r.match(view)) continue;
            const key = `${r.id}\u0000${e.actor}`;
            const inc = table.touch(key, e.ts, () => ({
              rule: r,
              actor: e.actor,
              start: e.ts,
              end: e.ts,
              matches: 0,
              paths: new Map(),
              statuses: new Map(),
              samples: new Samples(5, 5),
            }));
            inc.matches++;
            if (e.ts < inc.start) inc.start = e.ts;
            if (e.ts > inc.end) inc.end = e.ts;
            if (e.path !== undefined) bump(inc.paths, e.path, 1, 1000);
            bump(inc.statuses, e.status === undefined ? 'none' : String(e.status));
            inc.samples.add(e, `matched ${r.id}`);
          }
        },
      };
    },
  };
}
