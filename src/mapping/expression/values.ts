/**
 * What an expression evaluates to. Source values (string, number, boolean, null, lists,
 * objects) and, inside an evaluation, dates. Two markers stand for what Entra does outside the
 * value itself; they are class instances, so no source object can be mistaken for one.
 */
import type { SourceValue } from '../../source/index';

/** A date and time inside an evaluation (CDate, Now, DateAdd); written as `M/d/yyyy h:mm:ss tt` when it leaves. */
export class DateTimeValue {
  constructor(
    /** Milliseconds since 1970-01-01 UTC. */
    readonly instant: number,
  ) {}
}

/**
 * IgnoreFlowIfNullOrEmpty found nothing: leave the target attribute out of this flow altogether
 * (no value, no clear). {@link mapToTarget} omits the path.
 */
export class IgnoreFlow {
  readonly kind = 'ignoreFlow';
}

/** The one IgnoreFlow value. */
export const IGNORE_FLOW: IgnoreFlow = Object.freeze(new IgnoreFlow());

/**
 * SelectUniqueValue's candidates, in order, empty ones left out: the first that the target does
 * not hold yet is the value. The check needs the target, so it happens in reconcile, on create.
 */
export class UniqueCandidates {
  readonly kind = 'uniqueCandidates';
  constructor(readonly candidates: readonly string[]) {
    Object.freeze(this);
  }
}

/** The result of {@link evaluateExpression}: a source value, nothing (undefined), or one of the two markers. */
export type ExpressionValue = SourceValue | undefined | IgnoreFlow | UniqueCandidates;

/** A value during evaluation. */
export type Value = SourceValue | undefined | DateTimeValue;

export function isIgnoreFlow(value: unknown): value is IgnoreFlow {
  return value instanceof IgnoreFlow;
}

export function isUniqueCandidates(value: unknown): value is UniqueCandidates {
  return value instanceof UniqueCandidates;
}

/** Null or absent: what Entra calls NULL. */
export function isNull(value: Value): value is null | undefined {
  return value === null || value === undefined;
}

/** Null, absent, "" or an empty list. */
export function isNullOrEmpty(value: Value): boolean {
  return isNull(value) || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Thrown inside an evaluation when IgnoreFlowIfNullOrEmpty finds nothing; the evaluation answers {@link IGNORE_FLOW}. */
export class IgnoreFlowSignal {}
