/**
 * Scoping filters (Entra's "Source object scope"): which source objects are provisioned,
 * decided by attribute clauses. Pure: no I/O, no clock.
 */
export {
  entraScopeSchema,
  scopingFilter,
  scopingFilterInputSchema,
  scopingFilterSchema,
  SCOPING_LIMITS,
  type ScopingClause,
  type ScopingFilter,
  type ScopingFilterInput,
  type ScopingGroup,
} from './schema';
export { evaluateClause, evaluateScope, type ClauseResult, type GroupResult, type FilterDecision } from './evaluate';
export { normaliseOperator, OPERATOR_LABELS, SCOPING_OPERATORS, type ScopingOperator } from './operators';
export { compileDotNetRegex, translateDotNetRegex, type CompiledRegex } from '../regex';
