/** Version of the baseline JSON format. Readers accept the same major version. */
export const BASELINE_SCHEMA_VERSION = '1.0';
