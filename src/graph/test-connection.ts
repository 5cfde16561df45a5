/**
 * The source half of an app's connection test: does the identity platform issue a token for
 * the app registration, can it read users, and, for scope `assigned`, the service principal
 * and its assignments. Each check reports its own outcome with the peer's message; none carries
 * the secret (the errors are scrubbed of it where they are made).
 */
import type { AppConfig } from '../config/app';
import type { ProvisioningError } from '../errors/index';
import { graphEndpoint } from './endpoint';
import { toGraphError } from './errors';
import { createGraphCredential, createGraphReader, graphPath, type GraphCollection, type GraphReader } from './reader';
import { tokenFailure } from './token-provider';

export type SourceCheckName = 'token' | 'read users' | 'read service principal' | 'read assignments';

export interface SourceCheck {
  name: SourceCheckName;
  /** Who answered (or did not): the identity platform for the token, the directory for the reads. */
  peer: 'identity platform' | 'source';
  status: 'passed' | 'failed';
  detail: string;
  durationMs: number;
}

export interface SourceTestResult {
  /** No check failed. */
  ok: boolean;
  checks: SourceCheck[];
}

/** The permission a read needs, named when Graph refuses it. */
const PERMISSION: Record<Exclude<SourceCheckName, 'token'>, string> = {
  'read users': 'User.Read.All',
  'read service principal': 'Application.Read.All',
  'read assignments': 'Application.Read.All',
};

/**
 * Runs the checks in order: a token, one page of one user (`GET /users?$top=1`), and for
 * scope `assigned` the service principal and one page of its assignments. Never rejects for
 * what a peer answers; a peer that does not answer fails its check at once (no retries).
 *
 * @example
 * const result = await testSource(app.source, secrets.clientSecret);
 * // { ok: false, checks: [{ name: 'token', peer: 'identity platform', status: 'failed', detail: 'no token: ...' }, ...] }
 */
export async function testSource(
  source: Pick<AppConfig['source'], 'tenantId' | 'clientId' | 'authorityHost' | 'graphBaseUrl' | 'scope' | 'servicePrincipalId'>,
  clientSecret: string,
): Promise<SourceTestResult> {
  const checks: SourceCheck[] = [];
  let credential: ReturnType<typeof createGraphCredential> | undefined;

  const token = await timed(async () => {
    try {
      // The credential refuses some settings as it is made (a tenant id it cannot use): the token check says so.
      credential = createGraphCredential(source, clientSecret, { maxRetries: 0 });
      await credential.getToken(graphEndpoint(source.graphBaseUrl).scope);
      return check('token', 'identity platform', 'passed', `the identity platform issued a token for client ${source.clientId}`);
    } catch (error) {
      return check('token', 'identity platform', 'failed', `no token: ${peerMessage(tokenFailure(error, clientSecret))}`);
    }
  });
  checks.push(token);

  const reads: [Exclude<SourceCheckName, 'token'>, string][] = [['read users', graphPath('/users', { $top: 1, $select: 'id' })]];
  if (source.scope === 'assigned' && source.servicePrincipalId) {
    const sp = `/servicePrincipals/${encodeURIComponent(source.servicePrincipalId)}`;
    reads.push(['read service principal', graphPath(sp, { $select: 'id,appRoles' })]);
    reads.push(['read assignments', graphPath(`${sp}/appRoleAssignedTo`, { $top: 1 })]);
  }
  const reader =
    token.status === 'passed' && credential ? createGraphReader(source, clientSecret, { credential, maxRetries: 0 }) : undefined;
  for (const [name, path] of reads) {
    if (!reader) checks.push(check(name, 'source', 'failed', `not checked: no token for GET ${path}`));
    else checks.push(await timed(() => read(reader, name, path, clientSecret)));
  }
  return { ok: checks.every((c) => c.status === 'passed'), checks };
}

async function read(reader: GraphReader, name: Exclude<SourceCheckName, 'token'>, path: string, secret: string): Promise<SourceCheck> {
  try {
    const answer = await reader.get<GraphCollection | { id?: string }>(path);
    const detail =
      'value' in answer && Array.isArray(answer.value)
        ? `GET ${path} answered with ${answer.value.length} item(s) on the page`
        : `GET ${path} answered`;
    return check(name, 'source', 'passed', detail);
  } catch (error) {
    const failure = toGraphError(error, { secret });
    const peer = failure.peer === 'identity platform' ? 'identity platform' : 'source';
    const hint = failure.status === 403 ? ` (the app registration needs the application permission ${PERMISSION[name]})` : '';
    return check(name, peer, 'failed', `GET ${path} failed: ${peerMessage(failure)}${hint}`);
  }
}

/** Our message with the peer's own words after it, when they add something. */
function peerMessage(error: ProvisioningError): string {
  return error.detail && !error.message.includes(error.detail) ? `${error.message}: ${error.detail}` : error.message;
}

function check(name: SourceCheckName, peer: SourceCheck['peer'], status: SourceCheck['status'], detail: string): SourceCheck {
  return { name, peer, status, detail, durationMs: 0 };
}

async function timed(run: () => Promise<SourceCheck>): Promise<SourceCheck> {
  const started = performance.now();
  const result = await run();
  return { ...result, durationMs: Math.round(performance.now() - started) };
}
