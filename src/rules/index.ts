export { ConfigError } from './errors.js';
export { loadRules, emptyRules, packageRoot } from './load.js';
export { resolveOptions, checkDetectorIds, describeRules, type RuleRow, type OptionOwner } from './options.js';
export {
  compileRouteList,
  compileIpList,
  compileUaList,
  compileSafeRegex,
  unsafeRegexReason,
  routePatternSource,
  parseMethodPattern,
  parseClock,
  isValidTimeZone,
  type RouteTest,
  type IpTest,
} from './match.js';
export * from './types.js';
