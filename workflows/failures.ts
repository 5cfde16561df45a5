/** Reading activity failures inside workflows. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ErrorInfo } from '../src/errors/index';

/** An activity failure as ErrorInfo: the innermost application failure carries it as details. */
export function errorInfoOf(cause: unknown): ErrorInfo {
  let current: unknown = cause;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (current instanceof ApplicationFailure && current.details?.[0] && typeof current.details[0] === 'object')
    return current.details[0] as ErrorInfo;
  return { kind: 'transient', code: 'Unknown', message: current instanceof Error ? current.message : String(current) };
}
