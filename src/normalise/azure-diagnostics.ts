/**
 * Rows of the Log Analytics `AzureDiagnostics` table, as responders export them (the portal's
 * JSON, `az monitor log-analytics query`, a Sentinel or Data Explorer export), read as the
 * diagnostic-settings record each row was made from.
 *
 * Azure Monitor writes a resource log sent to a workspace in "Azure diagnostics" mode as one flat
 * row: the common schema's fields become standard columns (`TimeGenerated`, `Category`,
 * `OperationName`, `ResourceId`, `CallerIPAddress`, `DurationMs`, `CorrelationId`, …) and each
 * field under `properties` becomes a column named after it with a suffix for its type: `_s`
 * string, `_d` double, `_b` bool, `_g` guid, `_t` datetime (`clientIp_s`, `httpStatus_d`,
 * `transactionId_g`); a nested object's fields are joined with `_` (`lastError_reason_s`).
 *
 * `azureDiagnosticsView` turns such a row back into `{time, category, operationName, resourceId,
 * …, properties: {clientIp, httpStatus, …}}`, the shape the Azure formats already map, keeping the
 * row's own columns beside it (so `--map` paths name the columns as the file spells them). One
 * rule for every category, instead of a suffixed alias per field and format. `azureDiagnosticsColumn`
 * goes the other way for `apilog formats detect`: the column a view path was read from.
 *
 * Cost: the normaliser asks `isAzureDiagnosticsRow` of its detection sample only, once per file;
 * other logs pay nothing per record. In a file of such rows each record is copied once.
 */
import type { Rec } from './get.js';

/** Standard columns and the common-schema field each one was made from. */
const STANDARD: ReadonlyArray<readonly [column: string, field: string]> = [
  ['TimeGenerated', 'time'],
  ['Category', 'category'],
  ['OperationName', 'operationName'],
  ['ResourceId', 'resourceId'],
  ['CallerIPAddress', 'callerIpAddress'],
  ['DurationMs', 'durationMs'],
  ['CorrelationId', 'correlationId'],
  ['ResultType', 'resultType'],
  ['ResultSignature', 'resultSignature'],
  ['ResultDescription', 'resultDescription'],
  ['Level', 'level'],
];
const COLUMN_OF: ReadonlyMap<string, string> = new Map(STANDARD.map(([c, f]) => [f, c]));

/**
 * Common-schema fields (top level in the diagnostic-settings record) that some services' rows
 * carry as suffixed columns instead of the standard ones: API Management's GatewayLogs rows have
 * `callerIpAddress_s` and `durationMs_d` (or `DurationMs`), `correlationId_g` (or `CorrelationId`).
 * Put back at the top, where the record had them.
 */
const TOP_LEVEL: ReadonlySet<string> = new Set(['callerIpAddress', 'durationMs', 'correlationId']);

/** `_s`, `_d`, `_b`, `_g` or `_t` at the end of a name of at least one character. */
function suffixed(k: string): boolean {
  const n = k.length;
  if (n < 3 || k.charCodeAt(n - 2) !== 95) return false;
  const c = k.charCodeAt(n - 1);
  // s d b g t
  return c === 115 || c === 100 || c === 98 || c === 103 || c === 116;
}

/**
 * Does this record look like an AzureDiagnostics row: `TimeGenerated`, `Category` or
 * `ResourceProvider`, no `properties` object, and at least one type-suffixed column? Resource-specific
 * tables (`AGWAccessLogs`, `ApiManagementGatewayLogs`) have PascalCase columns without suffixes and
 * are not rows of this kind.
 */
export function isAzureDiagnosticsRow(r: Rec): boolean {
  if (r.TimeGenerated === undefined || r.properties !== undefined) return false;
  if (r.Category === undefined && r.ResourceProvider === undefined) return false;
  for (const k in r) if (suffixed(k)) return true;
  return false;
}

/** The diagnostic-settings record a row came from, with the row's columns kept; other records unchanged. */
export function azureDiagnosticsView(r: Rec): Rec {
  if (!isAzureDiagnosticsRow(r)) return r;
  const out: Rec = { ...r };
  for (const [column, field] of STANDARD) {
    const v = r[column];
    if (v !== undefined && v !== null && v !== '' && out[field] === undefined) out[field] = v;
  }
  const props: Rec = {};
  for (const k in r) {
    if (!suffixed(k)) continue;
    const name = k.slice(0, -2);
    const v = r[k];
    // An empty cell is a column other categories filled, not a field of this record.
    if (v === null || v === '') continue;
    if (TOP_LEVEL.has(name)) {
      if (out[name] === undefined) out[name] = v;
      continue;
    }
    if (props[name] === undefined) props[name] = v;
  }
  out.properties = props;
  return out;
}

/**
 * The column of `row` that a path of its view was read from: `properties.clientIp` → `clientIp_s`,
 * `time` → `TimeGenerated`, `callerIpAddress` → `callerIpAddress_s` or `CallerIPAddress`. Paths
 * the row spells itself (a --map path, `TimeGenerated`) are returned as they are.
 */
export function azureDiagnosticsColumn(row: Rec, path: string): string {
  if (Object.prototype.hasOwnProperty.call(row, path)) return path;
  let name = path;
  if (path.startsWith('properties.')) {
    name = path.slice('properties.'.length);
  } else {
    // The standard column, unless it was empty and a suffixed one gave the value (see azureDiagnosticsView).
    const std = COLUMN_OF.get(path);
    const v = std === undefined ? undefined : row[std];
    if (std !== undefined && v !== undefined && v !== null && v !== '') return std;
  }
  // A nested field (lastError.reason) is a column joined with "_" (lastError_reason_s).
  const flat = name.replace(/\./g, '_');
  for (const k in row) {
    if (suffixed(k) && k.length === flat.length + 2 && k.startsWith(flat)) return k;
  }
  return path;
}
