export { createPipeline, type Pipeline, type PipelineOptions, type PipelineResult } from './pipeline.js';
export { builtinDetectors, findDetector } from './registry.js';
export { mergeAlerts, capSamples, subjectKey } from './merge.js';
export { KeyedTable, keyedState } from './state.js';
export { ReorderBuffer, compareEvents } from './reorder.js';
export * from './types.js';
