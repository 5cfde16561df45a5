/** What the API needs from the rest of the service, passed in so tests can build it freely. */
import type { Logger } from '../src/log/index';
import type { Store } from '../src/store/index';
import type { JobControl } from './jobs';

export interface ApiDeps {
  store: Store;
  jobs: JobControl;
  adminToken: string;
  logger: Logger;
}
