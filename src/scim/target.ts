/**
 * Writes to a target the way its capability profile says: PATCH with the target's op casing and
 * boolean encoding, or, for targets without PATCH, read the resource, apply the operations to it
 * (scim-patch) and PUT it back, keeping every attribute scimflow does not manage. With ETags the
 * PUT carries `If-Match`, and a 412 (changed in between) reads and applies again.
 */
import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import { ProvisioningError } from '../errors/index';
import type { CapabilityProfile } from './capabilities';
import { createdId, type BulkBatcher } from './bulk';
import type { ResourceEndpoint } from './client';
import { SCHEMA_PATCH_OP, type PatchOperation, type ScimResource } from './types';

const CAPITALISED: Record<PatchOperation['op'], string> = { add: 'Add', replace: 'Replace', remove: 'Remove' };

function encodeBooleans(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return value.map(encodeBooleans);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeBooleans(v)]));
  return value;
}

/** PATCH operations in the forms the target expects (RFC by default; Entra's legacy forms on request). */
export function encodePatchOperations(
  operations: PatchOperation[],
  profile: Pick<CapabilityProfile, 'patchOpCasing' | 'booleanEncoding'>,
): PatchOperation[] {
  return operations.map((operation) => {
    const op = (profile.patchOpCasing === 'capitalised' ? CAPITALISED[operation.op] : operation.op) as PatchOperation['op'];
    const encoded: PatchOperation = { ...operation, op };
    if (profile.booleanEncoding === 'string' && 'value' in operation) encoded.value = encodeBooleans(operation.value);
    return encoded;
  });
}

/**
 * The resource a PUT sends after `operations`: the current resource with the operations applied,
 * server-owned `meta` left out, and every extension URN that holds values listed in `schemas`.
 */
export function replacementFor(current: ScimResource, operations: PatchOperation[]): ScimResource {
  const patched = scimPatch(structuredClone(current) as never, operations as ScimPatchOperation[]) as unknown as ScimResource;
  const { meta: _meta, ...resource } = patched;
  const schemas = new Set(resource.schemas ?? []);
  for (const key of Object.keys(resource)) if (key.startsWith('urn:') && resource[key] !== undefined) schemas.add(key);
  return { ...resource, schemas: [...schemas] };
}

/** The generic resource operations the writer needs (a ScimClient has them). */
export interface ResourceEndpoints {
  find(endpoint: ResourceEndpoint, attribute: string, value: string | number | boolean): Promise<ScimResource[]>;
  create(endpoint: ResourceEndpoint, resource: ScimResource): Promise<ScimResource>;
  delete(endpoint: ResourceEndpoint, id: string): Promise<void>;
  patch(endpoint: ResourceEndpoint, id: string, operations: PatchOperation[]): Promise<unknown>;
  get(endpoint: ResourceEndpoint, id: string): Promise<ScimResource>;
  replace(endpoint: ResourceEndpoint, id: string, resource: ScimResource, options?: { ifMatch?: string }): Promise<unknown>;
}

/** Reads, applies and replaces again this often when the target keeps reporting a newer version (412). */
const MAX_PRECONDITION_RETRIES = 3;

/**
 * The writes of reconcile to one resource endpoint of a target (users or groups), following its
 * profile. With `bulk` (a target that announces SCIM Bulk), creates, PATCHes and deletes travel
 * in BulkRequests shared with the writes of other reconciles; each still gets its own result.
 */
export function profiledWriter(
  client: ResourceEndpoints,
  endpoint: ResourceEndpoint,
  profile: CapabilityProfile,
  options: { bulk?: BulkBatcher } = {},
) {
  const { bulk } = options;
  const encode = (resource: ScimResource) => (profile.booleanEncoding === 'string' ? (encodeBooleans(resource) as ScimResource) : resource);
  return {
    endpoint,
    find: (attribute: string, value: string | number | boolean) => client.find(endpoint, attribute, value),
    async create(resource: ScimResource): Promise<ScimResource> {
      if (!bulk) return client.create(endpoint, encode(resource));
      const result = await bulk.submit({ method: 'POST', path: `/${endpoint}`, data: encode(resource) });
      const id = createdId(result);
      if (!id)
        throw new ProvisioningError({
          kind: 'permanent',
          code: 'InvalidResponse',
          message: `POST /${endpoint} (bulk) succeeded without the created resource's id or location`,
        });
      return { ...(result.resource ?? resource), id } as ScimResource;
    },
    async delete(id: string): Promise<void> {
      if (!bulk) return client.delete(endpoint, id);
      try {
        await bulk.submit({ method: 'DELETE', path: `/${endpoint}/${encodeURIComponent(id)}` });
      } catch (error) {
        // Already gone counts as deleted, as for a single DELETE.
        if (!(error instanceof ProvisioningError && error.status === 404)) throw error;
      }
    },
    get: (id: string) => client.get(endpoint, id),
    async patch(id: string, operations: PatchOperation[]) {
      if (operations.length === 0) return undefined;
      if (profile.patch && bulk) {
        const result = await bulk.submit({
          method: 'PATCH',
          path: `/${endpoint}/${encodeURIComponent(id)}`,
          data: { schemas: [SCHEMA_PATCH_OP], Operations: encodePatchOperations(operations, profile) },
        });
        return result.resource;
      }
      if (profile.patch) return client.patch(endpoint, id, encodePatchOperations(operations, profile));
      for (let attempt = 1; ; attempt++) {
        const current = await client.get(endpoint, id);
        const version = profile.etag ? current.meta?.version : undefined;
        try {
          return await client.replace(endpoint, id, replacementFor(current, operations), version ? { ifMatch: version } : {});
        } catch (error) {
          // Someone changed the resource between our read and our write: read it again, keep their change.
          if (!(error instanceof ProvisioningError && error.code === 'PreconditionFailed') || attempt >= MAX_PRECONDITION_RETRIES)
            throw error;
        }
      }
    },
  };
}
