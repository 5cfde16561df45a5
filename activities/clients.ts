/** The real source and target clients: Microsoft Graph and a SCIM 2.0 endpoint. */
import { createGraphSource } from '../src/graph/index';
import { scimClientFor, type ScimRequestInfo } from '../src/scim/index';
import type { ClientFactories } from '../src/sync/index';

export interface ClientOptions {
  /** Called for every SCIM request (method, path, status, duration; never headers). */
  onScimRequest?: (info: ScimRequestInfo) => void;
  /** Graph `$top` for initial rounds (tests use small pages). */
  graphPageSize?: number;
}

export function realClients(options: ClientOptions = {}): ClientFactories {
  return {
    source: (app, secrets, select, groupSelect, observer) =>
      createGraphSource(app.source, secrets.clientSecret, {
        select,
        ...(observer && { onRequest: observer.onRequest }),
        ...(groupSelect && { groupSelect }),
        ...(options.graphPageSize && { pageSize: options.graphPageSize }),
      }),
    target: (app, secrets, observer) => {
      const hooks = [options.onScimRequest, observer?.onRequest].filter((hook) => hook !== undefined);
      return scimClientFor(app, secrets, {
        ...(hooks.length > 0 && { onRequest: (info: ScimRequestInfo) => hooks.forEach((hook) => hook(info)) }),
        ...(observer && { onBudgetWait: observer.onBudgetWait }),
      });
    },
  };
}
