/**
 * Analyst access: the Cypher cookbook (queries/*.cypher, typed parameters from their headers) and
 * the read-only runner for ad-hoc Cypher (READ routing, read transactions, writes and admin commands
 * refused, rows streamed up to a cap).
 */
export {
  runReadOnly,
  checkReadOnlyText,
  checkCalledProcedures,
  DEFAULTS as READ_ONLY_DEFAULTS,
  MAX_ROWS_LIMIT,
  type ReadOnlyOptions,
  type QueryRows,
} from './read-only-runner.js';
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
export { formatRows, truncationNotice, ROW_FORMATS, type RowFormat, type TableOptions } from './format-rows.js';
export { toPlain } from './plain-values.js';
