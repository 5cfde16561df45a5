/** A local endpoint that collects the alerts scimflow POSTs (`SCIMFLOW_ALERT_WEBHOOK_URL`). */
import { createServer } from 'node:http';

export interface AlertWebhook {
  url: string;
  /** Every alert received, in order. */
  alerts: Record<string, any>[];
  close(): void;
}

export async function startAlertWebhook(): Promise<AlertWebhook> {
  const alerts: Record<string, any>[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      alerts.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/alerts`, alerts, close: () => server.close() };
}
