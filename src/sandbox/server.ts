/**
 * The sandbox's HTTPS server on 127.0.0.1 (its CA's certificate, valid for `localhost` and
 * `127.0.0.1`): the identity platform under `/{tenant}/...`, Graph under `[/prefix]/v1.0/...` and
 * the sandbox's own `/sandbox/people` on the same port. Every Graph call needs a bearer token
 * issued for the origin it is sent to; `/sandbox/people` needs none (loopback only).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openIdConfiguration, type TokenIssuer } from './auth';
import type { GraphApi } from './graph-api';
import type { PeopleApi } from './people-api';
import { graphError, type SandboxResponse } from './shapes';

/** One request the sandbox received. */
export interface SandboxRequestLog {
  method: string;
  host: string;
  /** Path and query as sent, e.g. `/v1.0/users?$select=id&$top=2`. */
  path: string;
  status: number;
}

export interface ServerParts {
  tlsDir: string;
  port: number;
  issuer: TokenIssuer;
  api: GraphApi;
  /** The sandbox's own `/sandbox/people` (changes to the directory). */
  people: PeopleApi;
  /** Answers injected ahead of Graph's own (throttling, outages), consumed one per Graph call. */
  injected: SandboxResponse[];
  requests: SandboxRequestLog[];
}

const GRAPH_PATH = /^(?<prefix>(?:\/[^/]+)*?)\/v1\.0(?<path>\/.*)$/;
const OPENID_PATH = /^\/(?<tenant>[^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const TOKEN_PATH = /^\/(?<tenant>[^/]+)\/oauth2\/v2\.0\/token$/;

export async function listen(parts: ServerParts): Promise<{ server: Server; port: number }> {
  const [key, cert] = await Promise.all([readFile(join(parts.tlsDir, 'key.pem')), readFile(join(parts.tlsDir, 'cert.pem'))]);
  const server = createServer({ key, cert }, (req, res) => {
    void handle(parts, req, res);
  });
  await new Promise<void>((resolve) => server.listen(parts.port, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function handle(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const host = req.headers.host ?? 'localhost';
  const origin = `https://${host}`;
  const url = new URL(req.url ?? '/', origin);
  const body = await readBody(req);
  let response: SandboxResponse;
  try {
    response = route(parts, req, url, origin, body);
  } catch (error) {
    response = graphError(500, 'InternalServerError', error instanceof Error ? error.message : String(error));
  }
  parts.requests.push({ method: req.method ?? 'GET', host, path: `${url.pathname}${url.search}`, status: response.status });
  res.writeHead(response.status, {
    ...(response.text !== undefined && { 'content-type': 'text/plain; charset=utf-8' }),
    ...(response.text === undefined && response.body !== undefined && { 'content-type': 'application/json; charset=utf-8' }),
    ...response.headers,
  });
  res.end(response.text ?? (response.body === undefined ? undefined : JSON.stringify(response.body)));
}

function route(parts: ServerParts, req: IncomingMessage, url: URL, origin: string, body: string): SandboxResponse {
  const openid = OPENID_PATH.exec(url.pathname);
  if (openid && req.method === 'GET') return openIdConfiguration(origin, openid.groups!.tenant!);
  const token = TOKEN_PATH.exec(url.pathname);
  if (token && req.method === 'POST') return parts.issuer.token(token.groups!.tenant!, new URLSearchParams(body));

  const sandbox = parts.people.handle(req.method ?? 'GET', url.pathname, body);
  if (sandbox) return sandbox;

  const graph = GRAPH_PATH.exec(url.pathname);
  if (!graph) return { status: 404, body: { error: 'not_found', error_description: `the sandbox Graph does not serve ${url.pathname}` } };
  const refusal = parts.issuer.refusal(req.headers.authorization, origin);
  if (refusal) return graphError(401, 'InvalidAuthenticationToken', refusal, { 'www-authenticate': 'Bearer realm=""' });
  const injected = parts.injected.shift();
  if (injected) return injected;
  if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', `The method ${req.method} is not allowed here.`);
  return parts.api.handle({
    base: `${origin}${graph.groups!.prefix}/v1.0`,
    path: graph.groups!.path!,
    query: url.searchParams,
    ...(typeof req.headers.prefer === 'string' && { prefer: req.headers.prefer }),
    ...(typeof req.headers.consistencylevel === 'string' && { consistencyLevel: req.headers.consistencylevel }),
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
