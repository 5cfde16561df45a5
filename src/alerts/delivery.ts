/**
 * Delivery of the alert outbox: each due delivery is claimed (so two workers never send one at
 * once), sent over its channel, and marked delivered, or retried later with growing gaps
 * (30 s, 1 min, 2 min, ... up to an hour) for as long as it takes.
 */
import type { Logger } from '../log/index';
import type { JsonValue, Store } from '../store/index';

/** Where alerts go: the webhook or e-mail. `deliver` throws when the peer did not take the alert. */
export interface AlertChannel {
  name: 'webhook' | 'email';
  deliver(event: Record<string, JsonValue>): Promise<void>;
}

const FIRST_GAP_MS = 30_000;
const MAX_GAP_MS = 3_600_000;
/** How long a claimed delivery is left to its worker before another may try it. */
const LEASE_MS = 5 * 60_000;
const BATCH = 100;

/** The wait after the `attempts`-th failed attempt: 30 s × 2^(attempts − 1), at most an hour. */
export function alertRetryDelayMs(attempts: number): number {
  return Math.min(FIRST_GAP_MS * 2 ** (Math.max(attempts, 1) - 1), MAX_GAP_MS);
}

export interface AlertDeliverer {
  /** The channels new alerts are queued on. */
  channels: readonly AlertChannel['name'][];
  /** Sends the deliveries that are due (only `ids`, when given); failures wait for their next attempt. */
  deliver(ids?: readonly number[]): Promise<{ delivered: number; failed: number }>;
}

export function createAlertDeliverer(deps: {
  store: Store;
  channels: readonly AlertChannel[];
  logger: Logger;
  now?: () => Date;
}): AlertDeliverer {
  const now = deps.now ?? (() => new Date());
  return {
    channels: deps.channels.map((channel) => channel.name),
    async deliver(ids) {
      const claimed = await deps.store.alerts.claimDue({ now: now(), leaseMs: LEASE_MS, limit: BATCH, ...(ids && { ids }) });
      let delivered = 0;
      for (const delivery of claimed) {
        const channel = deps.channels.find((candidate) => candidate.name === delivery.channel);
        try {
          if (!channel) throw new Error(`the ${delivery.channel} channel is not configured (any more)`);
          await channel.deliver({ ...delivery.event, id: delivery.alertId });
          await deps.store.alerts.delivered(delivery.id, now());
          delivered++;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const next = new Date(now().getTime() + alertRetryDelayMs(delivery.attempts));
          await deps.store.alerts.failed(delivery.id, message, next);
          deps.logger.warn(
            {
              alertId: delivery.alertId,
              channel: delivery.channel,
              attempts: delivery.attempts,
              nextAttemptAt: next.toISOString(),
              err: { message },
            },
            'delivering an alert failed; it is tried again',
          );
        }
      }
      return { delivered, failed: claimed.length - delivered };
    },
  };
}
