/**
 * Sigma support: load webserver/proxy rules, list what cannot run (and why), run the rest as a detector.
 */
export { loadSigmaRules } from './load.js';
export { compileRule } from './compile.js';
export { createSigmaDetector } from './detector.js';
export type { SigmaDetectorOptions } from './detector.js';
export { EventView, F as SIGMA_FIELDS, fieldFor, sigmaFieldNames } from './view.js';
export type { FieldDef, FieldValue } from './view.js';
export { checkRegex } from './regex-safety.js';
export { parseCondition } from './condition.js';
export { LEVEL_SEVERITY, SIGMA_LEVELS, SigmaRuleError } from './types.js';
export type { CompiledSigmaRule, SigmaLevel, SigmaLoadResult, SigmaRejection } from './types.js';
