export { planAction } from './plan';
export type { Action, AnchorView, DesiredTarget, ManagedValues, MatchResult, ModifiedProperty, PlanInput, SkipReason } from './plan';
export { reconcileObject } from './reconcile';
export type {
  AnchorPort,
  DeprovisionGuard,
  AnchorRecord,
  LogAction,
  MappingPort,
  ReconcileContext,
  ReconcileOutcome,
  ReferencePort,
  ScopeDecision,
  ScopeReason,
  Step,
  StepName,
  StepStatus,
  TargetPort,
} from './reconcile';
export { createMappingPort } from './mapping-port';
export { TargetIndex } from './target-index';
export { memberChanges, memberIdsOf, memberPatches, type MemberChanges } from './members';
