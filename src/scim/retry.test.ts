import { describe, expect, it } from 'vitest';
import { ProvisioningError, type ErrorCode, type ErrorKind } from '../errors/index';
import { backoffMs, DEFAULT_RETRY_POLICY, retryDelayMs } from './retry';

const policy = DEFAULT_RETRY_POLICY;
const half = () => 0.5;

function error(kind: ErrorKind, code: ErrorCode, retryAfterMs?: number): ProvisioningError {
  return new ProvisioningError({ kind, code, message: 'x', ...(retryAfterMs !== undefined && { retryAfterMs }) });
}

describe('backoffMs', () => {
  it.each([
    [1, 0, 250],
    [1, 1, 500],
    [2, 0, 500],
    [2, 1, 1000],
    [3, 0.5, 1500],
    [10, 1, 8000],
    [10, 0, 4000],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(backoffMs(attempt, policy, () => random)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  it.each([
    ['GET 500 backs off', error('transient', 'InternalServerError'), 1, true, 375],
    ['GET 500 on the last attempt gives up', error('transient', 'InternalServerError'), 3, true, undefined],
    ['GET timeout backs off', error('transient', 'Timeout'), 2, true, 750],
    ['PUT network error backs off', error('transient', 'NetworkError'), 1, true, 375],
    ['POST timeout gives up', error('transient', 'Timeout'), 1, false, undefined],
    ['POST network error gives up', error('transient', 'NetworkError'), 1, false, undefined],
    ['POST 500 gives up', error('transient', 'InternalServerError'), 1, false, undefined],
    ['POST 503 without Retry-After gives up', error('transient', 'ServiceUnavailable'), 1, false, undefined],
    ['POST 503 with Retry-After waits', error('transient', 'ServiceUnavailable', 1500), 1, false, 1500],
    ['POST 429 with Retry-After waits', error('transient', 'TooManyRequests', 2128), 1, false, 2128],
    ['POST 429 without Retry-After backs off', error('transient', 'TooManyRequests'), 1, false, 375],
    ['GET 429 with Retry-After 0 retries at once', error('transient', 'TooManyRequests', 0), 1, true, 0],
    ['Retry-After at the cap waits', error('transient', 'TooManyRequests', 60_000), 1, true, 60_000],
    ['Retry-After beyond the cap gives up', error('transient', 'TooManyRequests', 60_001), 1, true, undefined],
    ['412 gives up', error('transient', 'PreconditionFailed'), 1, true, undefined],
    ['409 gives up', error('conflict', 'Conflict'), 1, true, undefined],
    ['400 gives up', error('permanent', 'BadRequest'), 1, true, undefined],
    ['401 gives up', error('configuration', 'Unauthorized'), 1, true, undefined],
  ])('%s', (_name, failure, attempt, idempotent, expected) => {
    expect(retryDelayMs(failure, attempt, idempotent, policy, half)).toBe(expected);
  });
});
