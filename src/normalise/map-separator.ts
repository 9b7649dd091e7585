/**
 * Between the paths of one field given several (`--map user=a --map user=b`, a list in a map
 * file): a newline, which no source path holds. Its own module: the CLI's option parsing needs it
 * before anything heavy (the normaliser, the formats) is loaded.
 */
export const MAP_PATH_SEPARATOR = '\n';
