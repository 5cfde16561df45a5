/**
 * A fetch for unit tests that answers by method and path below the base URL, as a SCIM target
 * would, and records what was asked. Unrouted requests answer 404 with a SCIM error body.
 */
export const FAKE_BASE_URL = 'https://target.example/scim/v2';

export type Route = Response | ((request: { url: URL; headers: Record<string, string> }) => Response);

export function routedFetch(routes: Record<string, Route>) {
  const calls: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const path = url.pathname.slice(new URL(FAKE_BASE_URL).pathname.length);
    const key = `${init?.method ?? 'GET'} ${path}`;
    calls.push(`${key}${url.search}`);
    const route = routes[key];
    if (route === undefined)
      return scimJson(404, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: `no ${path}` });
    // A Response body is read once: clone so that a route may answer several calls.
    return typeof route === 'function' ? route({ url, headers: { ...(init?.headers as Record<string, string>) } }) : route.clone();
  };
  return { fetch, calls };
}

export function scimJson(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/scim+json' } });
}
