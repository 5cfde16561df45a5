/**
 * The audit trail of the API: after every call to a route that changes something (its entry in
 * `api/permissions.ts` names an action), one audit-log entry with the caller, the route, the
 * app, the answer's status and what the handler noted (the configuration before and after,
 * never a secret). Refused calls (403, 400) are recorded too; unauthenticated ones are not (the
 * rate limit answers those).
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../src/log/index';
import type { AuditLogRepository, JsonValue } from '../src/store/index';
import { clientAddress } from './rate-limit';

/** What a handler adds to its call's audit entry. */
export interface AuditNote {
  /** The app, where the route's path does not name it (a created app). */
  appId?: string;
  before?: Record<string, JsonValue> | null;
  after?: Record<string, JsonValue> | null;
  changes?: JsonValue[];
  detail?: Record<string, JsonValue>;
}

declare module 'hono' {
  interface ContextVariableMap {
    audit: AuditNote;
  }
}

/** Adds to the call's audit entry (later notes win field by field). */
export function noteAudit(c: Context, note: AuditNote): void {
  const previous = c.get('audit');
  c.set('audit', { ...previous, ...note, ...((previous?.detail || note.detail) && { detail: { ...previous?.detail, ...note.detail } }) });
}

/** A value as JSON holds it (dates as strings, undefined fields gone): what the audit log stores. */
export function asJson(value: unknown): Record<string, JsonValue> {
  return JSON.parse(JSON.stringify(value)) as Record<string, JsonValue>;
}

/**
 * Middleware that records the audit entry of each changing call once it is answered. A failure
 * to record is logged as an error; the answer (whose change is done) still goes out.
 */
export function auditTrail(deps: { audit: () => AuditLogRepository | undefined; logger: Logger }): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const route = c.get('route');
    const actor = c.get('principal');
    if (!route?.access.action || !actor) return;
    const note = c.get('audit') ?? {};
    const detail = { ...route.params, ...note.detail };
    try {
      const audit = deps.audit();
      if (!audit) throw new Error('the store has no audit log');
      await audit.record({
        actor: { id: actor.id, name: actor.name, role: actor.role },
        client: clientAddress(c),
        method: route.method,
        route: route.path,
        appId: note.appId ?? route.appId ?? null,
        action: route.access.action,
        status: c.res.status,
        before: note.before ?? null,
        after: note.after ?? null,
        changes: note.changes ?? null,
        detail: Object.keys(detail).length > 0 ? detail : null,
      });
    } catch (error) {
      deps.logger.error(
        { err: { message: error instanceof Error ? error.message : String(error) }, action: route.access.action, status: c.res.status },
        'audit entry not recorded',
      );
    }
  };
}
