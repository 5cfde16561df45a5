/** Counts SCIM requests (every attempt) by method and resource path, from `onScimRequest`. */
import type { ScimRequestInfo } from '../src/scim/index';

export interface ScimTally {
  total: number;
  /** `POST /Users`, `GET /Users`, `PATCH /Users/{id}`, ... */
  byRequest: Record<string, number>;
  /** `201`, `409`, `none` (no answer), ... */
  byStatus: Record<string, number>;
  /** Summed duration of all requests, for the mean latency. */
  totalMs: number;
}

export function emptyTally(): ScimTally {
  return { total: 0, byRequest: {}, byStatus: {}, totalMs: 0 };
}

/** `/Users/2819c223` → `/Users/{id}`: one key per kind of request, whatever the resource. */
function shapeOf(path: string): string {
  return path.replace(/^(\/[^/]+)\/[^/]+/, '$1/{id}');
}

export function countRequest(tally: ScimTally, info: ScimRequestInfo): void {
  const request = `${info.method} ${shapeOf(info.path)}`;
  const status = info.status === undefined ? 'none' : String(info.status);
  tally.total += 1;
  tally.byRequest[request] = (tally.byRequest[request] ?? 0) + 1;
  tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
  tally.totalMs += info.durationMs;
}

/** The requests counted in `after` but not yet in `before` (an earlier copy of the same tally). */
export function tallySince(after: ScimTally, before: ScimTally): ScimTally {
  const since = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).flatMap(([key, count]) => (count - (b[key] ?? 0) > 0 ? [[key, count - (b[key] ?? 0)]] : [])));
  return {
    total: after.total - before.total,
    byRequest: since(after.byRequest, before.byRequest),
    byStatus: since(after.byStatus, before.byStatus),
    totalMs: after.totalMs - before.totalMs,
  };
}

/** Requests by method only: `{ GET: 1, POST: 10000 }`. */
export function byMethod(tally: ScimTally): Record<string, number> {
  const methods: Record<string, number> = {};
  for (const [request, count] of Object.entries(tally.byRequest)) {
    const method = request.split(' ')[0]!;
    methods[method] = (methods[method] ?? 0) + count;
  }
  return methods;
}
