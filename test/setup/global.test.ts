import { request } from 'node:https';
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshScimTenant, testEnv } from '../support/env';

describe('test environment', () => {
  it('serves a fresh scim2-server tenant with bearer auth', async () => {
    const base = freshScimTenant();
    const ok = await fetch(`${base}/Users`, { headers: { authorization: `Bearer ${testEnv.scimToken}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { totalResults: number }).totalResults).toBe(0);
    const denied = await fetch(`${base}/Users`);
    expect(denied.status).toBe(401);
  });

  it('trusts the test CA for HTTPS on loopback', async () => {
    const server = createServer(
      { cert: readFileSync(join(testEnv.tlsDir, 'cert.pem')), key: readFileSync(join(testEnv.tlsDir, 'key.pem')) },
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const body = await (await fetch(`https://localhost:${port}/`)).text();
    expect(body).toBe('ok');
    const viaHttps = await new Promise<number>((resolve, reject) =>
      request(`https://127.0.0.1:${port}/`, (res) => resolve(res.statusCode ?? 0))
        .on('error', reject)
        .end(),
    );
    expect(viaHttps).toBe(200);
    server.close();
  });
});
