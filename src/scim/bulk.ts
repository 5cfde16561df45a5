/**
 * SCIM Bulk (RFC 7644 §3.7): many writes in one request, each with its own outcome. The batcher
 * gathers the writes that reconciles make at the same moment into one BulkRequest within the
 * target's announced limits, and answers each caller with its own operation's result: a 409 on
 * one create is that create's conflict, not the batch's.
 */
import { z } from 'zod';
import { ProvisioningError } from '../errors/index';
import { errorFromResponse, invalidResponse, type RequestLine } from './errors';
import type { ScimRequestOptions } from './client';
import type { ScimResponse } from './responses';

export const SCHEMA_BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface BulkOperation {
  method: BulkMethod;
  /** Below the base URL: `/Users` for a create, `/Users/{id}` otherwise. */
  path: string;
  data?: unknown;
  /** The version the target must still hold (`If-Match` of a single request). */
  version?: string;
}

/** One operation's successful result: its status, the created resource's location, and the resource when the target sent it. */
export interface BulkResult {
  status: number;
  location?: string;
  resource?: Record<string, unknown>;
}

/** What the batcher sends through: a SCIM client's raw request. */
export interface BulkTransport {
  request(method: string, path: string, options?: ScimRequestOptions): Promise<ScimResponse>;
}

export interface BulkLimits {
  /** Operations per request (the target's `bulk.maxOperations`). */
  maxOperations: number;
  /** Bytes per request (the target's `bulk.maxPayloadSize`). */
  maxPayloadSize: number;
}

const statusSchema = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^\d{3}/)
    .transform((s) => Number(s.slice(0, 3))),
  // An early draft's form, still met: {"code": "201"}.
  z
    .looseObject({
      code: z.union([
        z.number().int(),
        z
          .string()
          .regex(/^\d{3}/)
          .transform((s) => Number(s.slice(0, 3))),
      ]),
    })
    .transform((s) => s.code),
]);

const responseSchema = z.looseObject({
  Operations: z.array(
    z.looseObject({
      method: z.string().optional(),
      bulkId: z.string().optional(),
      location: z.string().optional(),
      status: statusSchema,
      response: z.unknown().optional(),
    }),
  ),
});

/** Bytes an operation adds to a request body (its JSON, plus a separator). */
function sizeOf(operation: BulkOperation & { bulkId: string }): number {
  return Buffer.byteLength(JSON.stringify(operation)) + 1;
}

/** Room left for the envelope (`schemas`, `Operations`, braces) when filling a request up to the payload limit. */
const ENVELOPE_BYTES = 128;

/**
 * Sends operations as one BulkRequest and reads each one's result, matched by bulkId (by
 * position when the target echoes none). An operation the target reports failed rejects with
 * the error its status and body describe; one it leaves out (it stopped early) rejects as
 * transient, to be tried again.
 */
export async function sendBulk(
  transport: BulkTransport,
  operations: (BulkOperation & { bulkId: string })[],
): Promise<(BulkResult | ProvisioningError)[]> {
  const request: RequestLine = { method: 'POST', path: '/Bulk', redact: (text) => text };
  const response = await transport.request('POST', '/Bulk', {
    body: {
      schemas: [SCHEMA_BULK_REQUEST],
      Operations: operations.map(({ method, path, bulkId, data, version }) => ({
        method,
        path,
        bulkId,
        ...(data !== undefined && { data }),
        ...(version && { version }),
      })),
    },
    idempotent: false,
  });
  const parsed = responseSchema.safeParse(response.body);
  if (!parsed.success)
    throw invalidResponse(
      request,
      response.status,
      `a body that is not a BulkResponse (${z.prettifyError(parsed.error)})`,
      JSON.stringify(response.body ?? null),
    );
  const results = parsed.data.Operations;
  const byBulkId = new Map(results.filter((r) => r.bulkId !== undefined).map((r) => [r.bulkId!, r]));
  const echoes = byBulkId.size > 0;
  return operations.map((operation, index) => {
    const result = echoes ? byBulkId.get(operation.bulkId) : results[index];
    const line: RequestLine = { method: operation.method, path: `${operation.path} (bulk)`, redact: (text) => text };
    if (!result) {
      return new ProvisioningError({
        kind: 'transient',
        code: 'ServiceUnavailable',
        message: `${line.method} ${line.path} was not processed: the target stopped the bulk request before it`,
      });
    }
    if (result.status >= 200 && result.status < 300) {
      const resource =
        result.response && typeof result.response === 'object' && !Array.isArray(result.response)
          ? (result.response as Record<string, unknown>)
          : undefined;
      return { status: result.status, ...(result.location && { location: result.location }), ...(resource && { resource }) };
    }
    return errorFromResponse(line, result.status, result.response === undefined ? '' : JSON.stringify(result.response));
  });
}

interface Queued {
  operation: BulkOperation & { bulkId: string };
  resolve(result: BulkResult): void;
  reject(error: unknown): void;
}

/**
 * Gathers the writes submitted within `lingerMs` of each other into BulkRequests of at most
 * the target's limits. A request that fails as a whole (no answer, a 5xx) fails each of its
 * operations with that error; as with a single create, a lost answer is not sent again.
 *
 * @example const created = await batcher.submit({ method: 'POST', path: '/Users', data: user });
 */
export class BulkBatcher {
  private queue: Queued[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private next = 0;
  private readonly limits: BulkLimits;

  constructor(
    private readonly transport: BulkTransport,
    limits: BulkLimits,
    private readonly lingerMs = 5,
  ) {
    this.limits = {
      maxOperations: Math.max(1, limits.maxOperations),
      maxPayloadSize: limits.maxPayloadSize > 0 ? limits.maxPayloadSize : 1_048_576,
    };
  }

  submit(operation: BulkOperation): Promise<BulkResult> {
    return new Promise<BulkResult>((resolve, reject) => {
      const queued = { operation: { ...operation, bulkId: `b${++this.next}` }, resolve, reject };
      // An operation too large to share a request travels alone, and the target judges it.
      this.queue.push(queued);
      if (this.queue.length >= this.limits.maxOperations) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.lingerMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const batch: Queued[] = [];
      let bytes = ENVELOPE_BYTES;
      while (this.queue.length > 0 && batch.length < this.limits.maxOperations) {
        const size = sizeOf(this.queue[0]!.operation);
        if (batch.length > 0 && bytes + size > this.limits.maxPayloadSize) break;
        bytes += size;
        batch.push(this.queue.shift()!);
      }
      void this.send(batch);
    }
  }

  private async send(batch: Queued[]): Promise<void> {
    try {
      const results = await sendBulk(
        this.transport,
        batch.map((q) => q.operation),
      );
      results.forEach((result, i) => (result instanceof ProvisioningError ? batch[i]!.reject(result) : batch[i]!.resolve(result)));
    } catch (error) {
      for (const queued of batch) queued.reject(error);
    }
  }
}

/** The id of a created resource: the target's `id`, else the last segment of its location. */
export function createdId(result: BulkResult): string | undefined {
  const id = result.resource?.id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number') return String(id);
  const segment = result.location?.replace(/\/+$/, '').split('/').pop();
  return segment ? decodeURIComponent(segment) : undefined;
}
