// Types for v8-flags.mjs (plain JavaScript, as the launcher runs before anything is built).
export declare const SEMI_SPACE_MB: number;
export declare const V8_FLAGS: string[];
export declare function respawnFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] | null;
