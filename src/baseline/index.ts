export type { ActorBaseline, Baseline, BaselineCaps, RouteBaseline } from './types.js';
export { BASELINE_SCHEMA_VERSION } from './version.js';
export { createBaselineLearner, DEFAULT_BASELINE_CAPS } from './learner.js';
export type { BaselineLearner, BaselineLearnerOptions } from './learner.js';
export { saveBaseline, loadBaseline, validateBaseline, BaselineError } from './io.js';
export { hourOfWeekUtc, routeKey, summarise } from './stats.js';
