/** The scoping filter's part of a scope decision, the same for users and groups. */
import { evaluateScope, type ScopingFilter } from '../src/mapping/scoping/index';
import type { ScopeDecision } from '../src/reconcile/index';
import type { SourceObject } from '../src/source/index';

/**
 * The decision for an object already let in by `why` (all objects, or an assignment): the
 * app's filter then decides, clause by clause; without a filter it is in.
 */
export function filteredScope(filter: ScopingFilter | undefined, object: SourceObject, why: string): ScopeDecision {
  if (!filter) return { inScope: true, detail: why };
  const decision = evaluateScope(filter, object.attributes);
  return { inScope: decision.inScope, detail: `${why}; ${decision.detail}`, groups: decision.groups };
}
