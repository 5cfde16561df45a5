/**
 * Alerts for operators. A rule that finds its condition raises it: when the condition is new
 * for the app (src/store/alerts.ts keeps the last one per rule), the alert is queued in the
 * store's outbox on every channel configured (a signed webhook, e-mail) and sent at once; one
 * that fails is retried by the alert schedule until delivered. Alerts never carry a secret, and
 * a failed delivery never fails the work that raised it.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log/index';
import type { JsonValue, Store } from '../store/index';
import type { AlertDeliverer } from './delivery';
import type { AlertRule } from './settings';

export interface AlertEvent {
  /** What happened, e.g. `quarantine`: the payload's type. */
  type: string;
  /** The app, or '' for an alert about no one app. */
  appId: string;
  /** Machine-readable reason, e.g. `TooManyDeletes`. */
  reason: string;
  message: string;
  cycleId?: string;
  at: string;
  /** Details of the type, e.g. a leaver's `objectId`. */
  [detail: string]: JsonValue | undefined;
}

/**
 * What raises an alert: a rule, or `lifecycleEvents` (lifecycle events that could not be
 * carried out, about no app that could turn it off).
 */
export type AlertSource = AlertRule | 'lifecycleEvents';

export interface RaisedAlert {
  rule: AlertSource;
  /** What the condition is about within the rule (a leaver's event id); default: the app. */
  subject?: string;
  /** Stays the same while the condition does: the same condition again alerts nothing. */
  condition: string;
  event: AlertEvent;
}

export interface Alerter {
  /** Raises a rule's condition; resolves true when it was new and its alert went to the outbox. */
  raise(alert: RaisedAlert): Promise<boolean>;
  /** The rule's condition is over: the next time it holds it alerts again. */
  clear(appId: string, rule: AlertSource, subject?: string): Promise<void>;
}

/**
 * @example
 * const alerter = createAlerter({ store, logger, deliverer: createAlertDeliverer({ store, channels: [webhookChannel(...)], logger }) });
 * await alerter.raise({ rule: 'deprovisions', condition: 'over', event: { type: 'deprovisions', appId, reason, message, at } });
 */
export function createAlerter(deps: { store: Store; logger: Logger; deliverer?: AlertDeliverer }): Alerter {
  return {
    async raise({ rule, subject, condition, event }) {
      const defined = Object.fromEntries(Object.entries({ rule, ...event }).filter(([, value]) => value !== undefined));
      const { raised, deliveries } = await deps.store.alerts.raise({
        appId: event.appId,
        rule,
        ...(subject !== undefined && { subject }),
        condition,
        alertId: randomUUID(),
        event: defined,
        channels: deps.deliverer?.channels ?? [],
        at: event.at,
      });
      if (!raised) return false;
      deps.logger.warn({ alert: defined }, event.message);
      if (deliveries.length > 0 && deps.deliverer) {
        // Queued already: whatever fails here is tried again by the alert schedule.
        await deps.deliverer
          .deliver(deliveries)
          .catch((error: unknown) =>
            deps.logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'alert delivery postponed'),
          );
      }
      return true;
    },
    clear: (appId, rule, subject) => deps.store.alerts.clear(appId, rule, subject),
  };
}

export { alertRetryDelayMs, createAlertDeliverer, type AlertChannel, type AlertDeliverer } from './delivery';
export { mailChannel } from './mail';
export { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookChannel } from './webhook';
export { alertSettings, alertSettingsSchema, ALERT_RULES, DEFAULT_ALERTS, type AlertRule, type AlertSettings } from './settings';
export { cadenceVerdict, cycleRuleVerdicts, type CycleFacts, type RuleAlert, type RuleVerdict } from './rules';
