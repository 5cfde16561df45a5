import { RetryHandler } from '@microsoft/microsoft-graph-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProvisioningError } from '../../src/errors/index';
import { createGraphSource, type GraphSource } from '../../src/graph/index';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';

let fake: FakeGraph;
let source: GraphSource;

beforeEach(async () => {
  fake = await startFakeGraph();
  fake.addUser({ displayName: 'Alice' });
  source = createGraphSource(fake.sourceConfig(), fake.clientSecret);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fake.close();
});

function usersCalls(): number[] {
  return fake.requests.filter((r) => r.path.startsWith('/v1.0/users')).map((r) => r.status);
}

async function failure(promise: Promise<unknown>): Promise<ProvisioningError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProvisioningError);
  return error as ProvisioningError;
}

describe('throttling', () => {
  it('waits out a 429 with Retry-After and retries', async () => {
    fake.throttleNext(1, '0.2');
    const page = await source.readUsers();
    expect(page.objects).toHaveLength(1);
    expect(usersCalls()).toEqual([429, 200]);
  });

  it('tells its onRequest hook of every attempt, the throttled ones marked, with the same retries as without it', async () => {
    const seen: unknown[] = [];
    const hooked = createGraphSource(fake.sourceConfig(), fake.clientSecret, { maxRetries: 2, onRequest: (info) => seen.push(info) });
    fake.throttleNext(1, '0.05');
    expect((await hooked.readUsers()).objects).toHaveLength(1);
    expect(seen).toEqual([
      { status: 429, throttled: true },
      { status: 200, throttled: false },
    ]);
    seen.length = 0;
    fake.throttleNext(5, '0.05', 503);
    await failure(hooked.readUsers());
    expect(seen).toEqual(Array.from({ length: 3 }, () => ({ status: 503, throttled: true })));
  });

  it('retries a 503 with Retry-After too', async () => {
    fake.throttleNext(1, '0.1', 503);
    await source.readUsers();
    expect(usersCalls()).toEqual([503, 200]);
  });

  it("hands Graph's documented fractional Retry-After (2.128) to the retry wait as 2.128 seconds", async () => {
    const sleep = vi.spyOn(RetryHandler.prototype as unknown as { sleep(seconds: number): Promise<void> }, 'sleep').mockResolvedValue();
    fake.throttleNext(1, '2.128');
    await source.readUsers();
    expect(sleep.mock.calls).toEqual([[2.128]]);
    expect(usersCalls()).toEqual([429, 200]);
  });

  it('gives up after the configured retries with a transient TooManyRequests carrying Retry-After', async () => {
    const impatient = createGraphSource(fake.sourceConfig(), fake.clientSecret, { maxRetries: 2 });
    fake.throttleNext(5, '0.05');
    const error = await failure(impatient.readUsers());
    expect(error).toMatchObject({ kind: 'transient', code: 'TooManyRequests', status: 429, retryAfterMs: 50 });
    expect(error.detail).toContain('TooManyRequests');
    expect(usersCalls()).toEqual([429, 429, 429]);
  });
});

describe('Graph errors', () => {
  it.each([
    [401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.', 'configuration', 'Unauthorized'],
    [403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', 'configuration', 'NotPermitted'],
    [500, 'InternalServerError', 'Something went wrong.', 'transient', 'InternalServerError'],
    [400, 'Request_BadRequest', "Invalid object identifier 'x'.", 'permanent', 'BadRequest'],
  ] as const)('maps %i %s', async (status, graphCode, message, kind, code) => {
    fake.failNext(1, status, graphCode, message);
    const error = await failure(source.readUsers());
    expect(error).toMatchObject({ kind, code, status });
    expect(error.detail).toBe(`${graphCode}: ${message}`);
  });

  it('maps an unreachable Graph to a transient NetworkError', async () => {
    await source.readUsers(); // token cached; now Graph goes away
    await fake.close();
    const error = await failure(source.readUsers());
    expect(error).toMatchObject({ kind: 'transient', code: 'NetworkError' });
    fake = await startFakeGraph();
  });
});

describe('credentials', () => {
  it('reports a wrong client secret as a configuration error without the secret', async () => {
    const secret = 'Wr0ng~secret.value_that-must-not-leak';
    const error = await failure(createGraphSource(fake.sourceConfig(), secret).readUsers());
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized' });
    expect(error.message).toContain('invalid_client');
    expect(error.message).toContain('AADSTS7000215');
    const everything = JSON.stringify({ ...error.toJSON(), stack: error.stack });
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(fake.clientSecret);
    expect(fake.requests.some((r) => r.path.startsWith('/v1.0/'))).toBe(false);
  });

  it('reports an unknown client id as a configuration error', async () => {
    const error = await failure(createGraphSource(fake.sourceConfig({ clientId: 'not-registered' }), fake.clientSecret).readUsers());
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized' });
    expect(error.detail).toContain('AADSTS700016');
  });

  it('talks to the configured authority only: OpenID configuration and token endpoint, no instance discovery', async () => {
    await source.readUsers();
    const authorityCalls = fake.requests.filter((r) => !r.path.startsWith('/v1.0/')).map((r) => `${r.method} ${r.path.split('?')[0]}`);
    expect(authorityCalls).toEqual([
      `GET /${fake.tenantId}/v2.0/.well-known/openid-configuration`,
      `POST /${fake.tenantId}/oauth2/v2.0/token`,
    ]);
  });
});
