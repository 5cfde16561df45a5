/**
 * Plain HTTP against a scim2-server tenant, for tests that check what the target holds without
 * going through scimflow's own client.
 */
import { expect } from 'vitest';
import type { PatchOperation, ScimResource } from '../../src/scim/types';
import { testEnv } from './env';

export function scimHttp(baseUrl: () => string, token: () => string = () => testEnv.scimToken) {
  async function scim(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  }
  return {
    scim,
    async getUser(id: string): Promise<ScimResource> {
      const { status, json } = await scim('GET', `/Users/${id}`);
      expect(status).toBe(200);
      return json as ScimResource;
    },
    async patch(id: string, operations: PatchOperation[]): Promise<void> {
      const { status, json } = await scim('PATCH', `/Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: operations,
      });
      expect([200, 204], JSON.stringify(json)).toContain(status);
    },
    async create(resource: ScimResource): Promise<string> {
      const { status, json } = await scim('POST', '/Users', resource);
      expect(status, JSON.stringify(json)).toBe(201);
      return (json as ScimResource).id as string;
    },
  };
}
