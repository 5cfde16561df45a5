/** The SCIM client of one app's target, with its credential kept in a closure (never in a field). */
import type { AppConfig, TargetSecrets } from '../config/app';
import { authorizationFor } from './auth';
import { ScimClient, type ScimRequestInfo } from './client';
import { rateBudgetFor, type RateBudget } from './rate-budget';

export function scimClientFor(
  app: Pick<AppConfig, 'id' | 'target'>,
  secrets: TargetSecrets,
  /** `budget`: the app's rate budget in this process unless given. */
  options: {
    onRequest?: (info: ScimRequestInfo) => void;
    fetch?: typeof fetch;
    budget?: RateBudget;
    /** Told of each wait for the app's rate budget (the budget is the process's, so the latest client's hook is the one told). */
    onBudgetWait?: RateBudget['onWait'];
  } = {},
): ScimClient {
  const budget = options.budget ?? rateBudgetFor(app.id, app.target.rateLimit ?? {});
  if (options.onBudgetWait) budget.onWait = options.onBudgetWait;
  const authorization = authorizationFor(app.target.auth, secrets, { ...(options.fetch && { fetch: options.fetch }) });
  return new ScimClient({
    baseUrl: app.target.baseUrl,
    authorization,
    userAgent: 'scimflow',
    ...(authorization.invalidate && { onUnauthorized: authorization.invalidate }),
    ...(options.onRequest && { onRequest: options.onRequest }),
    ...(options.fetch && { fetch: options.fetch }),
    budget,
  });
}
