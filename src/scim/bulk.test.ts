import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import { BulkBatcher, createdId, sendBulk, type BulkTransport } from './bulk';
import type { ScimRequestOptions } from './client';

/** A transport that answers each BulkRequest with `answer(operations)` and records what it got. */
function transport(answer: (operations: any[]) => unknown) {
  const requests: any[][] = [];
  const t: BulkTransport = {
    async request(method: string, path: string, options: ScimRequestOptions = {}) {
      expect([method, path, options.idempotent]).toEqual(['POST', '/Bulk', false]);
      const operations = (options.body as { Operations: any[] }).Operations;
      requests.push(operations);
      return { status: 200, body: answer(operations) };
    },
  };
  return { t, requests };
}

const ok = (operations: any[]) => ({
  Operations: operations.map((o, i) => ({
    method: o.method,
    bulkId: o.bulkId,
    status: o.method === 'POST' ? '201' : 200,
    ...(o.method === 'POST' && { location: `https://t.example/scim/Users/id-${i}` }),
  })),
});

describe('sendBulk', () => {
  it('matches results by bulkId, whatever order the target answers in', async () => {
    const { t } = transport((ops) => ({ Operations: ok(ops).Operations.reverse() }));
    const results = await sendBulk(t, [
      { method: 'POST', path: '/Users', bulkId: 'a', data: { userName: 'a' } },
      { method: 'PATCH', path: '/Users/x', bulkId: 'b', data: {} },
    ]);
    expect(results).toEqual([{ status: 201, location: 'https://t.example/scim/Users/id-0' }, { status: 200 }]);
  });

  it('reports each failed operation with its own error, a missing one as transient, and reads the older status form', async () => {
    const { t } = transport(() => ({
      Operations: [
        { bulkId: 'a', status: { code: '201' }, location: '/Users/1' },
        {
          bulkId: 'b',
          status: '409',
          response: {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
            status: '409',
            scimType: 'uniqueness',
            detail: 'userName taken',
          },
        },
      ],
    }));
    const [created, conflict, missing] = await sendBulk(t, [
      { method: 'POST', path: '/Users', bulkId: 'a' },
      { method: 'POST', path: '/Users', bulkId: 'b' },
      { method: 'DELETE', path: '/Users/9', bulkId: 'c' },
    ]);
    expect(created).toEqual({ status: 201, location: '/Users/1' });
    expect(conflict).toBeInstanceOf(ProvisioningError);
    expect(conflict).toMatchObject({ kind: 'conflict', status: 409, scimType: 'uniqueness', detail: 'userName taken' });
    expect(missing).toMatchObject({ kind: 'transient' });
  });

  it('refuses an answer that is not a BulkResponse', async () => {
    const { t } = transport(() => ({ hello: 'world' }));
    await expect(sendBulk(t, [{ method: 'DELETE', path: '/Users/1', bulkId: 'a' }])).rejects.toMatchObject({ code: 'InvalidResponse' });
  });
});

describe('BulkBatcher', () => {
  it('gathers concurrent writes into requests within the operation limit', async () => {
    const { t, requests } = transport(ok);
    const batcher = new BulkBatcher(t, { maxOperations: 3, maxPayloadSize: 1_000_000 });
    const results = await Promise.all(
      Array.from({ length: 7 }, (_, i) => batcher.submit({ method: 'POST', path: '/Users', data: { userName: `u${i}` } })),
    );
    expect(requests.map((r) => r.length)).toEqual([3, 3, 1]);
    expect(new Set(requests.flat().map((o) => o.bulkId)).size).toBe(7);
    expect(results.map(createdId)).toEqual(['id-0', 'id-1', 'id-2', 'id-0', 'id-1', 'id-2', 'id-0']);
  });

  it('keeps each request within the payload limit', async () => {
    const { t, requests } = transport(ok);
    const batcher = new BulkBatcher(t, { maxOperations: 100, maxPayloadSize: 600 });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        batcher.submit({ method: 'POST', path: '/Users', data: { userName: `u${i}`, pad: 'x'.repeat(100) } }),
      ),
    );
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) expect(Buffer.byteLength(JSON.stringify({ Operations: request }))).toBeLessThanOrEqual(600);
    expect(requests.flat()).toHaveLength(6);
  });

  it('fails every operation of a request that fails as a whole', async () => {
    const t: BulkTransport = {
      request: async () => {
        throw new ProvisioningError({ kind: 'transient', code: 'NetworkError', message: 'connection reset' });
      },
    };
    const batcher = new BulkBatcher(t, { maxOperations: 10, maxPayloadSize: 0 });
    const outcomes = await Promise.allSettled([
      batcher.submit({ method: 'DELETE', path: '/Users/1' }),
      batcher.submit({ method: 'DELETE', path: '/Users/2' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('createdId', () => {
  it('prefers the resource id, else the last segment of the location', () => {
    expect(createdId({ status: 201, resource: { id: 'r1' }, location: '/Users/l1' })).toBe('r1');
    expect(createdId({ status: 201, location: 'https://t.example/Users/a%20b/' })).toBe('a b');
    expect(createdId({ status: 201 })).toBeUndefined();
  });
});
