/**
 * Alerts for operators: a JSON event POSTed to `SCIMFLOW_ALERT_WEBHOOK_URL` (a chat or paging
 * webhook, or any HTTP endpoint). Alerts never carry a secret; a webhook that fails is logged and
 * does not fail the work that raised the alert.
 */
import type { Logger } from '../log/index';

export interface AlertEvent {
  /** What happened, e.g. `quarantine`. */
  type: string;
  appId: string;
  /** Machine-readable reason, e.g. `TooManyDeletes`. */
  reason: string;
  message: string;
  cycleId?: string;
  at: string;
}

export interface Alerter {
  send(event: AlertEvent): Promise<void>;
}

export function createAlerter(options: { webhookUrl?: string | undefined; logger: Logger; fetch?: typeof fetch }): Alerter {
  const post = options.fetch ?? fetch;
  return {
    async send(event) {
      options.logger.warn({ alert: event }, event.message);
      if (!options.webhookUrl) return;
      try {
        const response = await post(options.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'scimflow' },
          body: JSON.stringify({ source: 'scimflow', ...event }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!response.ok) options.logger.error({ status: response.status, type: event.type }, 'the alert webhook refused the alert');
      } catch (error) {
        options.logger.error(
          { err: { message: error instanceof Error ? error.message : String(error) }, type: event.type },
          'the alert webhook could not be reached',
        );
      }
    },
  };
}
