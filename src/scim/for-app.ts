/** The SCIM client of one app's target, with its bearer token kept in a closure (never in a field). */
import type { AppConfig, AppSecrets } from '../config/app';
import { ScimClient, type ScimRequestInfo } from './client';

export function scimClientFor(app: Pick<AppConfig, 'target'>, secrets: Pick<AppSecrets, 'targetToken'>, options: { onRequest?: (info: ScimRequestInfo) => void } = {}): ScimClient {
  const header = `Bearer ${secrets.targetToken}`;
  return new ScimClient({
    baseUrl: app.target.baseUrl,
    authorization: () => header,
    userAgent: 'scimflow',
    ...(options.onRequest && { onRequest: options.onRequest }),
  });
}
