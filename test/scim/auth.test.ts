/**
 * Target auth against the real scim2-server: OAuth 2.0 client credentials through a small
 * token endpoint that issues the server's bearer token, and HTTP Basic through a small gateway
 * that checks the credentials and forwards with the bearer token.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetAuthConfig, TargetSecrets } from '../../src/config/app';
import { SCHEMA_USER, scimClientFor } from '../../src/scim/index';
import { startScimServer, type ScimServer } from '../support/scim-server';
import { rejection } from '../support/rejection';

const CLIENT_ID = 'scimflow-client';
const CLIENT_SECRET = 'oauth-client-secret-0123456789';
const USERNAME = 'scim-gateway-user';
const PASSWORD = 'basic-password-0123456789';

let scim: ScimServer;
const servers: Server[] = [];

function readBody(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    stream.on('end', () => resolve(text));
    stream.on('error', reject);
  });
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>): Promise<string> {
  const server = createServer((request, response) => {
    handler(request, response).catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The client id and secret of a Basic header, form-decoded as RFC 6749 §2.3.1 has them encoded. */
function clientOf(header: string | undefined): [string, string] | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const [id, secret] = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8').split(':');
  const decode = (value: string | undefined) => decodeURIComponent((value ?? '').replace(/\+/g, ' '));
  return [decode(id), decode(secret)];
}

/** A client credentials token endpoint taking the client's credentials in a Basic header or the body; `issue` gives each token. */
async function tokenEndpoint(issue: () => string) {
  const grants: { authorization: string | undefined; form: URLSearchParams }[] = [];
  const url = await listen(async (request, response) => {
    const form = new URLSearchParams(await readBody(request));
    grants.push({ authorization: request.headers.authorization, form });
    const client = clientOf(request.headers.authorization) ?? [form.get('client_id'), form.get('client_secret')];
    const json = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    if (client?.[0] !== CLIENT_ID || client[1] !== CLIENT_SECRET)
      return json(401, { error: 'invalid_client', error_description: 'client authentication failed' });
    json(200, { access_token: issue(), token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') ?? undefined });
  });
  return { tokenUrl: `${url}/oauth2/v2.0/token`, grants };
}

/** A gateway that accepts HTTP Basic credentials and forwards to scim2-server with its bearer token. */
async function basicGateway() {
  const seen: (string | undefined)[] = [];
  const url = await listen(async (request, response) => {
    seen.push(request.headers.authorization);
    const expected = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      response
        .writeHead(401, { 'www-authenticate': 'Basic realm="scim"', 'content-type': 'application/scim+json' })
        .end(JSON.stringify({ status: '401', detail: 'bad credentials' }));
      return;
    }
    const body = await readBody(request);
    const target = new URL(scim.url);
    const headers = {
      ...request.headers,
      authorization: `Bearer ${scim.token}`,
      host: target.host,
      'content-length': String(Buffer.byteLength(body)),
    };
    const forwarded = httpRequest(
      { hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', (error) => response.writeHead(502).end(String(error)));
    forwarded.end(body);
  });
  return { url, seen };
}

const tenant = (base: string) => `${base}/t${randomUUID().replaceAll('-', '').slice(0, 12)}/v2`;

function clientFor(baseUrl: string, auth: TargetAuthConfig, secrets: TargetSecrets) {
  return scimClientFor({ id: `auth-test-${randomUUID()}`, target: { type: 'scim', baseUrl, auth } }, secrets);
}

beforeAll(async () => {
  scim = await startScimServer({ token: `issued-${randomUUID()}` });
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  await scim?.stop();
});

describe('OAuth 2.0 client credentials against scim2-server', () => {
  it('gets a token once and uses it for every request', async () => {
    const { tokenUrl, grants } = await tokenEndpoint(() => scim.token);
    const auth: TargetAuthConfig = { type: 'oauth2', tokenUrl, clientId: CLIENT_ID, scope: 'scim', clientAuth: 'basic' };
    const client = clientFor(tenant(scim.url), auth, { targetClientSecret: CLIENT_SECRET });

    const created = await client.createUser({ schemas: [SCHEMA_USER], userName: 'oauth.user@example.com', active: true });
    expect(await client.getUser(created.id ?? '')).toMatchObject({ userName: 'oauth.user@example.com' });
    expect((await client.listUsers()).Resources.map((user) => user.userName)).toEqual(['oauth.user@example.com']);
    expect(grants).toHaveLength(1);
    expect(Object.fromEntries(grants[0]!.form)).toEqual({ grant_type: 'client_credentials', scope: 'scim' });
  });

  it('sends the client credentials in the body when asked to', async () => {
    const { tokenUrl, grants } = await tokenEndpoint(() => scim.token);
    const client = clientFor(
      tenant(scim.url),
      { type: 'oauth2', tokenUrl, clientId: CLIENT_ID, clientAuth: 'body' },
      { targetClientSecret: CLIENT_SECRET },
    );
    expect((await client.listUsers()).totalResults).toBe(0);
    expect(grants).toHaveLength(1);
    expect(grants[0]!.form.get('client_secret')).toBe(CLIENT_SECRET);
    expect(grants[0]!.authorization).toBeUndefined();
  });

  it('fetches a new token when scim2-server refuses the cached one', async () => {
    const issued = ['revoked-token-0123456789', scim.token];
    const { tokenUrl, grants } = await tokenEndpoint(() => issued.shift() ?? scim.token);
    const client = clientFor(
      tenant(scim.url),
      { type: 'oauth2', tokenUrl, clientId: CLIENT_ID, clientAuth: 'basic' },
      { targetClientSecret: CLIENT_SECRET },
    );
    const created = await client.createUser({ schemas: [SCHEMA_USER], userName: 'renewed@example.com' });
    expect(created.id).toEqual(expect.any(String));
    expect((await client.listUsers()).totalResults).toBe(1);
    expect(grants).toHaveLength(2);
  });

  it('reports a wrong client secret naming the token URL, without the secret', async () => {
    const { tokenUrl } = await tokenEndpoint(() => scim.token);
    const wrongSecret = 'not-the-client-secret-0123456789';
    const client = clientFor(
      tenant(scim.url),
      { type: 'oauth2', tokenUrl, clientId: CLIENT_ID, clientAuth: 'basic' },
      { targetClientSecret: wrongSecret },
    );
    const error = await rejection(client.listUsers());
    expect(error).toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 401 });
    expect(error.message).toContain(tokenUrl);
    expect(error.message).toContain('invalid_client: client authentication failed');
    expect(JSON.stringify({ ...error.toJSON(), message: error.message })).not.toContain(wrongSecret);
  });
});

describe('HTTP Basic against scim2-server', () => {
  it('sends the username and password on every request', async () => {
    const gateway = await basicGateway();
    const client = clientFor(tenant(gateway.url), { type: 'basic', username: USERNAME }, { targetPassword: PASSWORD });
    const created = await client.createUser({ schemas: [SCHEMA_USER], userName: 'basic.user@example.com' });
    expect(await client.getUser(created.id ?? '')).toMatchObject({ userName: 'basic.user@example.com' });
    expect(gateway.seen).toEqual([`Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`, expect.any(String)]);
    expect(new Set(gateway.seen).size).toBe(1);
  });

  it('fails with Unauthorized on a wrong password, once', async () => {
    const gateway = await basicGateway();
    const client = clientFor(tenant(gateway.url), { type: 'basic', username: USERNAME }, { targetPassword: 'wrong-password-0123456789' });
    await expect(client.listUsers()).rejects.toMatchObject({ kind: 'configuration', code: 'Unauthorized', status: 401 });
    expect(gateway.seen).toHaveLength(1);
  });
});
