/**
 * The normalise stage: JSON values -> ApiEvent.
 *
 *   createNormaliser({ file, format?, map? }, onIssue) -> FileNormaliser   (one per input file)
 *   listFormats()                                                          (`apilog formats`)
 *   describeRecords(records, { format?, map? })                            (`apilog formats detect`)
 *   loadMapFile(path)                                                      (--map-file: JSON or YAML)
 */
import type { CanonicalField } from './event.js';
import { FORMATS, custom } from './formats/index.js';

export { createNormaliser, DETECTION_SAMPLE, ISSUES_PER_REASON } from './normaliser.js';
export type { Detection, FileNormaliser, NormaliserOptions } from './normaliser.js';
export { describeRecords } from './describe.js';
export type { DescribeOptions, DescribeResult, FieldReport } from './describe.js';
export { loadMapFile, parseMapKey, MAP_KEYS_HELP, MAP_PATH_SEPARATOR } from './mapping.js';
export { get } from './get.js';
export { parseTimestamp } from './time.js';

export interface FormatInfo {
  id: string;
  title: string;
  /** Human description of the detection keys. */
  detect: string;
  /** Which source path feeds each canonical field. */
  fields: Partial<Record<CanonicalField, string>>;
}

/** Supported formats in detection order (most specific first), then `custom`. */
export function listFormats(): FormatInfo[] {
  return [...FORMATS, custom].map((f) => ({ id: f.id, title: f.title, detect: f.detectKeys, fields: { ...f.fields } }));
}
