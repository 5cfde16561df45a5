import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import { carry, isDeltaTokenExpired, redact, toGraphError } from './errors';

function graphError(status: number, code: string | null, message: string, headers: Record<string, string> = {}): GraphError {
  const error = new GraphError(status, message);
  error.code = code;
  error.headers = new Headers(headers);
  return error;
}

describe('toGraphError', () => {
  it.each([
    [400, 'Request_BadRequest', 'permanent', 'BadRequest'],
    [401, 'InvalidAuthenticationToken', 'configuration', 'Unauthorized'],
    [403, 'Authorization_RequestDenied', 'configuration', 'NotPermitted'],
    [404, 'Request_ResourceNotFound', 'permanent', 'NotFound'],
    [429, 'TooManyRequests', 'transient', 'TooManyRequests'],
    [500, 'InternalServerError', 'transient', 'InternalServerError'],
    [502, 'BadGateway', 'transient', 'InternalServerError'],
    [503, 'ServiceUnavailable', 'transient', 'ServiceUnavailable'],
    [504, 'GatewayTimeout', 'transient', 'Timeout'],
  ] as const)('maps %i %s with Graph code and message as detail', (status, graphCode, kind, code) => {
    const error = toGraphError(graphError(status, graphCode, 'the peer said so'));
    expect(error).toMatchObject({ kind, code, status, detail: `${graphCode}: the peer said so` });
  });

  it("reads Graph's fractional Retry-After (2.128 s) into milliseconds", () => {
    expect(toGraphError(graphError(429, 'TooManyRequests', 'slow down', { 'Retry-After': '2.128' })).retryAfterMs).toBe(2128);
    expect(toGraphError(graphError(503, 'ServiceUnavailable', 'later', { 'Retry-After': '10' })).retryAfterMs).toBe(10_000);
  });

  it('maps expired delta tokens only for delta reads', () => {
    const expired = graphError(400, 'syncStateNotFound', 'The sync state generation is not found.');
    expect(toGraphError(expired, { delta: true })).toMatchObject({ kind: 'permanent', code: 'DeltaTokenExpired', status: 400 });
    expect(toGraphError(expired)).toMatchObject({ code: 'BadRequest' });
    expect(toGraphError(graphError(410, 'resyncRequired', 'gone'), { delta: true }).code).toBe('DeltaTokenExpired');
  });

  it('maps a failure without an answer to a transient NetworkError', () => {
    const error = new GraphError(-1, 'fetch failed');
    expect(toGraphError(error)).toMatchObject({ kind: 'transient', code: 'NetworkError' });
  });

  it('passes carried and existing ProvisioningErrors through unchanged', () => {
    const original = new ProvisioningError({ kind: 'configuration', code: 'Unauthorized', message: 'no' });
    expect(toGraphError(carry(original))).toBe(original);
    expect(toGraphError(original)).toBe(original);
  });

  it('scrubs the secret from text the peer echoed', () => {
    const error = toGraphError(graphError(400, 'Request_BadRequest', 'bad value s3cr3t+/= in body'), { secret: 's3cr3t+/=' });
    expect(JSON.stringify(error.toJSON())).not.toContain('s3cr3t');
  });
});

describe('isDeltaTokenExpired', () => {
  it.each([
    [410, null, true],
    [400, 'syncStateNotFound', true],
    [400, 'resyncRequired', true],
    [400, 'SyncStateInvalid', true],
    [400, 'Request_BadRequest', false],
    [404, null, false],
  ])('%i %s → %s', (status, code, expected) => {
    expect(isDeltaTokenExpired(status, code)).toBe(expected);
  });
});

describe('redact', () => {
  it('removes plain and URL-encoded occurrences', () => {
    expect(redact('a=x/y+z&b=x%2Fy%2Bz', 'x/y+z')).toBe('a=[redacted]&b=[redacted]');
  });
  it('leaves text alone without a secret', () => {
    expect(redact('text', undefined)).toBe('text');
  });
});
