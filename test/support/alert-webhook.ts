/**
 * A local endpoint that collects the alerts scimflow POSTs (`SCIMFLOW_ALERT_WEBHOOK_URL`), and
 * checks each one's signature as a receiver would: the HMAC-SHA256 of `<timestamp>.<body>` with
 * the shared secret, compared in constant time, and a timestamp no older than five minutes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

export interface AlertWebhook {
  url: string;
  /** The secret scimflow signs with (`SCIMFLOW_ALERT_WEBHOOK_SECRET`). */
  secret: string;
  /** Every alert received with a valid signature, in order. */
  alerts: Record<string, any>[];
  /** Requests refused for a missing or wrong signature or an old timestamp. */
  refused: number;
  /** Answers the next `count` alerts with HTTP 503 (they are not collected). */
  failNext(count: number): void;
  close(): void;
}

/** Whether `signature` is `sha256=` and the HMAC of `timestamp.body`, for a timestamp within five minutes of now. */
export function verifySignature(secret: string, timestamp: string | undefined, signature: string | undefined, body: string): boolean {
  if (!timestamp || !signature || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startAlertWebhook(): Promise<AlertWebhook> {
  const secret = randomBytes(24).toString('base64url');
  let failing = 0;
  const webhook: AlertWebhook = {
    url: '',
    secret,
    alerts: [],
    refused: 0,
    failNext: (count) => void (failing = count),
    close: () => server.close(),
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const header = (name: string) => req.headers[name] as string | undefined;
      if (!verifySignature(secret, header('x-scimflow-timestamp'), header('x-scimflow-signature'), body)) {
        webhook.refused++;
        res.writeHead(401).end();
      } else if (failing > 0) {
        failing--;
        res.writeHead(503).end();
      } else {
        webhook.alerts.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  webhook.url = `http://127.0.0.1:${port}/alerts`;
  return webhook;
}
