/**
 * The webhook channel: the alert as JSON, signed so the receiver can tell it came from this
 * deployment and is fresh. `X-Scimflow-Signature: sha256=<hex>` is the HMAC-SHA256, keyed with
 * `SCIMFLOW_ALERT_WEBHOOK_SECRET`, of `<X-Scimflow-Timestamp>.<body>` (the timestamp in Unix
 * seconds); a receiver recomputes it and refuses old timestamps, which stops replays.
 */
import { createHmac } from 'node:crypto';
import type { AlertChannel } from './delivery';

export const SIGNATURE_HEADER = 'x-scimflow-signature';
export const TIMESTAMP_HEADER = 'x-scimflow-timestamp';

/**
 * The signature header's value for a body sent at `timestamp` (Unix seconds).
 *
 * @example signWebhook('s3cret-s3cret-s3cret', 1767225600, '{"type":"quarantine"}') // 'sha256=…'
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookChannel(options: { url: string; secret: string; now?: () => Date; fetch?: typeof fetch }): AlertChannel {
  const post = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  return {
    name: 'webhook',
    async deliver(event) {
      const body = JSON.stringify({ source: 'scimflow', ...event });
      const timestamp = Math.floor(now().getTime() / 1000);
      let response: Response;
      try {
        response = await post(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'scimflow',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        // The URL stays out of the message: chat webhooks carry their credential in it.
        const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
        throw new Error(`the alert webhook could not be reached: ${cause}`);
      }
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the alert webhook answered HTTP ${response.status}`);
    },
  };
}
