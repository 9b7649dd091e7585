/**
 * Sigma rules as apilog runs them: compiled once, matched per event against an EventView (canonical
 * fields, Sigma web field names mapped onto them).
 */
import type { Severity } from '../detect/types.js';
import type { EventView } from './view.js';

export const SIGMA_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type SigmaLevel = (typeof SIGMA_LEVELS)[number];

/** Sigma level -> apilog severity. */
export const LEVEL_SEVERITY: Record<SigmaLevel, Severity> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

export interface CompiledSigmaRule {
  /** The rule's `id` (or, when it has none, "<file name>" / "<file name>#<n>" for the n-th document). */
  id: string;
  title: string;
  /** File the rule came from. */
  file: string;
  status?: string;
  description?: string;
  level: SigmaLevel;
  severity: Severity;
  tags: string[];
  falsepositives: string[];
  references: string[];
  author?: string;
  logsource: { category?: string; product?: string; service?: string };
  /** Sigma field names the detection uses, as written. */
  fields: string[];
  /** Canonical fields (or pseudo-fields: uri, referer, cookie, body, raw.*) those names map to. */
  canonicalFields: string[];
  /** Top-level attributes Sigma does not define (e.g. `apilog-category`), kept as written. */
  custom: Record<string, unknown>;
  /** Whether the event matches the rule's condition. */
  match(view: EventView): boolean;
}

export interface SigmaRejection {
  file: string;
  id?: string;
  title?: string;
  reason: string;
}

export interface SigmaLoadResult {
  rules: CompiledSigmaRule[];
  rejected: SigmaRejection[];
}

/** Thrown while compiling a rule apilog cannot run; becomes a SigmaRejection. */
export class SigmaRuleError extends Error {}
