/**
 * The e-mail channel: each alert as a plain-text message over SMTP (`SCIMFLOW_SMTP_URL`, e.g.
 * `smtps://user:password@mail.example.com`), from `SCIMFLOW_ALERT_MAIL_FROM` to every address in
 * `SCIMFLOW_ALERT_MAIL_TO`. A server that refuses or cannot be reached fails the attempt, which
 * is retried.
 */
import { createTransport } from 'nodemailer';
import type { AlertChannel } from './delivery';

export function mailChannel(options: { url: string; from: string; to: readonly string[] }): AlertChannel {
  const transport = createTransport({ url: options.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return {
    name: 'email',
    async deliver(event) {
      const { type, appId, reason, message } = event;
      await transport.sendMail({
        from: options.from,
        to: [...options.to],
        subject: `[scimflow] ${String(type)}${appId ? ` ${String(appId)}` : ''}: ${String(reason)}`,
        text: `${String(message)}\n\n${JSON.stringify({ source: 'scimflow', ...event }, null, 2)}\n`,
        headers: { 'X-Scimflow-Alert-Id': String(event['id']) },
      });
    },
  };
}
