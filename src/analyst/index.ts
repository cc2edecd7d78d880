/**
 * Analyst access: the Cypher cookbook (queries/*.cypher, typed parameters from their headers) and
 * the read-only runner for ad-hoc Cypher (READ routing, read transactions, writes refused).
 */
export { runReadOnly, DEFAULTS as READ_ONLY_DEFAULTS, type ReadOnlyOptions, type QueryRows } from './read-only-runner.js';
export {
  QUERIES_DIR,
  listCookbook,
  loadCookbookQuery,
  parseCookbookFile,
  bindParams,
  parseParamArgs,
  runCookbookQuery,
  type CookbookQuery,
  type CookbookParam,
  type ParamType,
} from './cookbook.js';
export { formatRows, ROW_FORMATS, type RowFormat, type TableOptions } from './format-rows.js';
export { toPlain } from './plain-values.js';
