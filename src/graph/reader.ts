/**
 * Read access to Microsoft Graph over `@microsoft/microsoft-graph-client`: a client-secret
 * credential for the configured authority, the configured Graph root (national clouds, or any
 * host) registered as a custom host so requests and absolute nextLinks on it carry the token,
 * and the client's RetryHandler honouring `Retry-After` on 429/503/504 a bounded number of times.
 */
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import type { AppConfig } from '../config/app';
import { DEFAULT_AUTHORITY_HOST, graphEndpoint, needsDisabledInstanceDiscovery } from './endpoint';
import { toGraphError } from './errors';
import { tokenProvider } from './token-provider';

/** The connection part of a Graph source configuration. */
export type GraphConnection = Pick<AppConfig['source'], 'tenantId' | 'clientId' | 'authorityHost' | 'graphBaseUrl'>;

export interface GraphReaderOptions {
  /** Retries of a throttled or unavailable request (429/503/504) before giving up; default 3, at most 10. */
  maxRetries?: number;
  /** Seconds to wait before a retry when the answer has no `Retry-After`; default 3. */
  retryDelaySeconds?: number;
  /** The credential to get tokens with; default: {@link createGraphCredential} for the connection. */
  credential?: TokenCredential;
  /** Told of each attempt, retries included: its status (undefined: no answer) and whether Graph throttled it. */
  onRequest?: (info: GraphRequestInfo) => void;
}

/** What the `onRequest` hook learns about an attempt. Never the URL, never a header. */
export interface GraphRequestInfo {
  status: number | undefined;
  /** A 429, or an answer with `Retry-After`. */
  throttled: boolean;
}

/** A middleware just before the network call: it sees every attempt the RetryHandler makes. */
class ObservingHandler implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly onRequest: (info: GraphRequestInfo) => void) {}

  async execute(context: Context): Promise<void> {
    try {
      await this.next!.execute(context);
    } catch (error) {
      this.onRequest({ status: undefined, throttled: false });
      throw error;
    }
    const response = context.response;
    this.onRequest({ status: response?.status, throttled: response?.status === 429 || response?.headers.has('retry-after') === true });
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** A Graph JSON object (a user, an assignment, ...). */
export type GraphItem = Record<string, unknown> & { id?: string };

/** A page of a Graph collection. */
export interface GraphCollection {
  value: GraphItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export interface GraphReader {
  /**
   * GETs a path below the Graph root (`/users?$select=id`) or an absolute link Graph gave.
   * Failures are ProvisioningErrors; with `delta`, an expired token is `DeltaTokenExpired`.
   */
  get<T = GraphCollection>(pathOrLink: string, options?: { headers?: Record<string, string>; delta?: boolean }): Promise<T>;
  /** Every item of a paged collection, following `@odata.nextLink` to the end. */
  all(pathOrLink: string): Promise<GraphItem[]>;
  /** The pages of a collection one by one, following `@odata.nextLink`: only one page is held at a time. */
  pages(pathOrLink: string): AsyncIterable<GraphItem[]>;
}

/**
 * The client-secret credential of an app registration at its authority (it caches and renews
 * its tokens). `maxRetries` bounds the retries of a token request that got no answer.
 */
export function createGraphCredential(
  connection: GraphConnection,
  clientSecret: string,
  options: { maxRetries?: number } = {},
): TokenCredential {
  const authorityHost = connection.authorityHost ?? DEFAULT_AUTHORITY_HOST;
  return new ClientSecretCredential(connection.tenantId, connection.clientId, clientSecret, {
    authorityHost,
    disableInstanceDiscovery: needsDisabledInstanceDiscovery(authorityHost),
    ...(options.maxRetries !== undefined && { retryOptions: { maxRetries: options.maxRetries } }),
  });
}

/** Creates a reader for one tenant and app registration. */
export function createGraphReader(connection: GraphConnection, clientSecret: string, options: GraphReaderOptions = {}): GraphReader {
  const endpoint = graphEndpoint(connection.graphBaseUrl);
  const credential = options.credential ?? createGraphCredential(connection, clientSecret);
  const authProvider = tokenProvider(credential, endpoint.scope, clientSecret);
  const client = Client.initWithMiddleware({
    // Graph's default chain; with a hook, the same chain with the observer before the network call.
    ...(options.onRequest
      ? {
          middleware: [
            new AuthenticationHandler(authProvider),
            new RetryHandler(new RetryHandlerOptions()),
            new RedirectHandler(new RedirectHandlerOptions()),
            new TelemetryHandler(),
            new ObservingHandler(options.onRequest),
            new HTTPMessageHandler(),
          ],
        }
      : { authProvider }),
    baseUrl: endpoint.baseUrl,
    defaultVersion: endpoint.version,
    customHosts: new Set([endpoint.hostname]),
  });
  const retry = new RetryHandlerOptions(options.retryDelaySeconds, options.maxRetries);

  const get = async <T>(pathOrLink: string, requestOptions: { headers?: Record<string, string>; delta?: boolean } = {}): Promise<T> => {
    try {
      const request = client.api(pathOrLink).middlewareOptions([retry]);
      if (requestOptions.headers) request.headers(requestOptions.headers);
      return (await request.get()) as T;
    } catch (error) {
      throw toGraphError(error, { secret: clientSecret, delta: requestOptions.delta ?? false });
    }
  };

  async function* pages(pathOrLink: string): AsyncGenerator<GraphItem[]> {
    let link: string | undefined = pathOrLink;
    while (link) {
      const page: GraphCollection = await get<GraphCollection>(link);
      yield page.value;
      link = page['@odata.nextLink'];
    }
  }

  return {
    get,
    pages,
    async all(pathOrLink) {
      const items: GraphItem[] = [];
      for await (const page of pages(pathOrLink)) items.push(...page);
      return items;
    },
  };
}

/** Graph's limit of values in an `id in (...)` filter. */
export const MAX_FILTER_IDS = 15;

/**
 * The objects of a collection (`/users`, `/groups`) with these ids, read in `id in (...)` chunks of
 * 15; ids Graph does not know are absent.
 */
export async function readByIds(
  reader: GraphReader,
  collection: string,
  select: readonly string[],
  ids: readonly string[],
  expand?: string,
): Promise<GraphItem[]> {
  const unique = [...new Set(ids)];
  const items: GraphItem[] = [];
  for (let i = 0; i < unique.length; i += MAX_FILTER_IDS) {
    const chunk = unique.slice(i, i + MAX_FILTER_IDS);
    const filter = `id in (${chunk.map((id) => `'${id.replaceAll("'", "''")}'`).join(',')})`;
    items.push(...(await reader.all(graphPath(collection, { $filter: filter, $select: select.join(','), $expand: expand }))));
  }
  return items;
}

/**
 * A Graph path with OData query options, values percent-encoded (commas kept readable).
 *
 * @example graphPath('/users', { $select: 'id,mail', $top: 999 }) // '/users?$select=id,mail&$top=999'
 */
export function graphPath(path: string, query: Record<string, string | number | undefined>): string {
  const parts = Object.entries(query)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value)).replaceAll('%2C', ',')}`);
  return parts.length > 0 ? `${path}?${parts.join('&')}` : path;
}
