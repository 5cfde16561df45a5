/** The retention activity: the store's batched purge, heartbeating the running total after each batch. */
import { Context } from '@temporalio/activity';
import type { Logger } from '../src/log/index';
import type { RetentionActivities } from '../src/retention/contract';
import type { Store } from '../src/store/index';

export function retentionActivities(deps: { store: Store; logger: Logger; batchSize?: number }): RetentionActivities {
  return {
    async purgeLog({ log, before }) {
      const context = Context.current();
      const deleted = await deps.store.retention.purge(log, before, {
        ...(deps.batchSize && { batchSize: deps.batchSize }),
        onBatch: (total) => context.heartbeat({ deleted: total }),
      });
      if (deleted > 0) deps.logger.info({ log, before, deleted }, 'purged log entries past their retention');
      return { deleted };
    },
  };
}
