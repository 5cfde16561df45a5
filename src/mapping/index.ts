/**
 * Attribute mapping: source object → SCIM target resource and managed values, SCIM attribute
 * paths, and the minimal PATCH between what a target holds and what the mappings want.
 * Pure: no I/O, no clock.
 */
export {
  attributeMappingSchema,
  constantMappingSchema,
  directMappingSchema,
  expressionMappingSchema,
  noneMappingSchema,
  objectMappingsSchema,
  type AttributeMapping,
  type AttributeMappingInput,
  type ObjectMappings,
} from './schema';
export { PathSyntaxError } from './errors';
export { parsePath, formatPath, pathKey, type AttributePath, type FilterValue, type ValueFilter } from './path';
export { getValue, setValue } from './access';
export { holdsValue, isEmptyValue, sameValue, type ScimComplexValue, type ScimScalar, type TargetValue } from './values';
export { sourceAttributesOf, type EvaluationContext, type MappingValue, type Operation } from './mapping-types';
export {
  mapToTarget,
  exportedValues,
  withUniqueValue,
  type MapOptions,
  type MappedTarget,
  type MappedValue,
  type MatchingValue,
} from './map';
export {
  EXPRESSION_FUNCTIONS,
  ExpressionError,
  IGNORE_FLOW,
  IgnoreFlow,
  MAX_EXPRESSION_LENGTH,
  UniqueCandidates,
  evaluateExpression,
  expressionAttributes,
  isIgnoreFlow,
  isUniqueCandidates,
  parseExpression,
  type Expression,
  type ExpressionContext,
  type ExpressionFunction,
  type ExpressionValue,
  type AppRoleAssignmentValue,
} from './expression/index';
export { DEFAULT_GROUP_MAPPINGS, DEFAULT_USER_MAPPINGS } from './defaults';
export { diffToPatch, readManagedValues, type PatchPlan, type ValueChange } from './patch';
