/** What the API needs from the rest of the service, passed in so tests can build it freely. */
import type { AppConfig } from '../src/config/app';
import type { Logger } from '../src/log/index';
import type { Store } from '../src/store/index';
import { notFound } from './errors';
import type { JobControl } from './jobs';

export interface ApiDeps {
  store: Store;
  jobs: JobControl;
  adminToken: string;
  logger: Logger;
}

/** The app, or a 404 answer when there is no such app. */
export async function requireApp(deps: Pick<ApiDeps, 'store'>, id: string): Promise<AppConfig> {
  const found = await deps.store.apps.get(id);
  if (!found) throw notFound('the app');
  return found;
}
