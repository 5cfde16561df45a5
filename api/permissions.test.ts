/** Every operation of the OpenAPI document says what it needs, and the document declares the refusals. */
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log/index';
import type { Store } from '../src/store/index';
import { createPayloadCodec } from '../src/temporal/payload-codec';
import { parsePayloadKeys } from '../src/temporal/payload-keys';
import { createApi } from './app';
import type { JobControl } from './jobs';
import { accessOf, ROUTE_ACCESS, routeKey } from './permissions';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] as const;

async function document() {
  const api = createApi({
    store: {} as Store,
    jobs: {} as JobControl,
    adminToken: randomBytes(24).toString('base64url'),
    logger: createLogger({ level: 'silent' }),
    metrics: new Registry(),
    payloadCodec: createPayloadCodec(parsePayloadKeys(`k1:${randomBytes(32).toString('hex')}`)),
  });
  const spec = (await (await api.request('/api/v1/openapi.json')).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  };
  return Object.entries(spec.paths).flatMap(([path, operations]) =>
    METHODS.filter((method) => operations[method]).map((method) => ({
      key: routeKey(method, path),
      method,
      path,
      operation: operations[method]!,
    })),
  );
}

describe('route permissions', () => {
  it('has an entry for every operation of the OpenAPI document, and none for an operation it does not have', async () => {
    const operations = await document();
    expect(operations.length).toBeGreaterThan(40);
    const missing = operations.filter(({ key }) => !(key in ROUTE_ACCESS)).map(({ key }) => key);
    expect(missing).toEqual([]);
    expect(Object.keys(ROUTE_ACCESS).filter((key) => !operations.some((o) => o.key === key))).toEqual([]);
  });

  it('names an audit action for every operation that can change something', async () => {
    const readOnly = [
      'POST /apps/{id}/preview',
      'POST /expressions/evaluate',
      'POST /codec/encode',
      'POST /codec/decode',
      'POST /codec/sign-in',
    ];
    for (const { key, method } of await document()) {
      if (method === 'get' || readOnly.includes(key)) expect(ROUTE_ACCESS[key]?.action, key).toBeUndefined();
      else expect(ROUTE_ACCESS[key]?.action, key).toMatch(/^[a-z-]+\.[a-z-]+$/);
    }
  });

  it('declares 403 for every operation that needs a permission, and 401 and 429 for every one that needs a token', async () => {
    for (const { key, method, path, operation } of await document()) {
      const { needs } = accessOf(method, path);
      expect(Boolean(operation.responses['403']), key).toBe(needs !== 'open' && needs !== 'any-token');
      // The sign-in form checks the token it is given, refusals and limit included.
      const checksToken = needs !== 'open' || key === 'POST /codec/sign-in';
      expect(Boolean(operation.responses['401']), key).toBe(checksToken);
      expect(Boolean(operation.responses['429']), key).toBe(checksToken);
      if (needs === 'open') expect(operation.security, key).toEqual([]);
    }
  });

  it('refuses to register a route the table does not know', () => {
    expect(() => accessOf('post', '/apps/{id}/explode')).toThrow('POST /apps/{id}/explode has no entry in api/permissions.ts');
  });
});
