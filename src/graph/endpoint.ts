/**
 * Where Graph and its token authority live for a tenant's cloud: the public cloud by default,
 * a national cloud (e.g. `https://graph.microsoft.us/v1.0` + `https://login.microsoftonline.us`)
 * or any other host when configured.
 */

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Microsoft's own authority hosts, for which MSAL's instance discovery works. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
]);

export interface GraphEndpoint {
  /** The Graph client's `baseUrl`: origin plus any path before the version, e.g. `https://graph.microsoft.us`. */
  baseUrl: string;
  /** The last path segment, e.g. `v1.0`. */
  version: string;
  /** The host name (no port) the client must authenticate requests for. */
  hostname: string;
  /** Token scope for this Graph: `{origin}/.default`. */
  scope: string;
}

/**
 * Splits a Graph root such as `https://graph.microsoft.us/v1.0` into what the Graph client needs.
 *
 * @example graphEndpoint('https://localhost:8443/cloud/v1.0')
 * // { baseUrl: 'https://localhost:8443/cloud', version: 'v1.0', hostname: 'localhost', scope: 'https://localhost:8443/.default' }
 */
export function graphEndpoint(graphBaseUrl: string = DEFAULT_GRAPH_BASE_URL): GraphEndpoint {
  const url = new URL(graphBaseUrl);
  if (url.protocol !== 'https:') throw new Error(`graphBaseUrl must be an https URL: ${graphBaseUrl}`);
  const segments = url.pathname.split('/').filter(Boolean);
  const version = segments.pop();
  if (!version) throw new Error(`graphBaseUrl must end with the API version, e.g. /v1.0: ${graphBaseUrl}`);
  const prefix = segments.length > 0 ? `/${segments.join('/')}` : '';
  return { baseUrl: `${url.origin}${prefix}`, version, hostname: url.hostname, scope: `${url.origin}/.default` };
}

/** Whether MSAL's instance discovery must be turned off for this authority host (not one of Microsoft's). */
export function needsDisabledInstanceDiscovery(authorityHost: string = DEFAULT_AUTHORITY_HOST): boolean {
  return !MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
}
