/**
 * Writes to a target the way its capability profile says: PATCH with the target's op casing and
 * boolean encoding, or, for targets without PATCH, read the resource, apply the operations to it
 * (scim-patch) and PUT it back, keeping every attribute scimflow does not manage. With ETags the
 * PUT carries `If-Match`, and a 412 (changed in between) reads and applies again.
 */
import { scimPatch, type ScimPatchOperation } from 'scim-patch';
import { ProvisioningError } from '../errors/index';
import type { CapabilityProfile } from './capabilities';
import type { PatchOperation, ScimResource } from './types';

const CAPITALISED: Record<PatchOperation['op'], string> = { add: 'Add', replace: 'Replace', remove: 'Remove' };

function encodeBooleans(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return value.map(encodeBooleans);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeBooleans(v)]));
  return value;
}

/** PATCH operations in the forms the target expects (RFC by default; Entra's legacy forms on request). */
export function encodePatchOperations(operations: PatchOperation[], profile: Pick<CapabilityProfile, 'patchOpCasing' | 'booleanEncoding'>): PatchOperation[] {
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

/** The user endpoints the writer needs (a ScimClient has them). */
export interface UserEndpoints {
  findUsers(attribute: string, value: string | number | boolean): Promise<ScimResource[]>;
  createUser(resource: ScimResource): Promise<ScimResource>;
  deleteUser(id: string): Promise<void>;
  patchUser(id: string, operations: PatchOperation[]): Promise<unknown>;
  getUser(id: string): Promise<ScimResource>;
  replaceUser(id: string, resource: ScimResource, options?: { ifMatch?: string }): Promise<unknown>;
}

/** Reads, applies and replaces again this often when the target keeps reporting a newer version (412). */
const MAX_PRECONDITION_RETRIES = 3;

/** The user writes of reconcile against one target, following its profile. */
export function profiledUserWriter(client: UserEndpoints, profile: CapabilityProfile) {
  return {
    findUsers: (attribute: string, value: string | number | boolean) => client.findUsers(attribute, value),
    createUser: (resource: ScimResource) => client.createUser(profile.booleanEncoding === 'string' ? (encodeBooleans(resource) as ScimResource) : resource),
    deleteUser: (id: string) => client.deleteUser(id),
    getUser: (id: string) => client.getUser(id),
    async patchUser(id: string, operations: PatchOperation[]) {
      if (operations.length === 0) return undefined;
      if (profile.patch) return client.patchUser(id, encodePatchOperations(operations, profile));
      for (let attempt = 1; ; attempt++) {
        const current = await client.getUser(id);
        const version = profile.etag ? current.meta?.version : undefined;
        try {
          return await client.replaceUser(id, replacementFor(current, operations), version ? { ifMatch: version } : {});
        } catch (error) {
          // Someone changed the account between our read and our write: read it again, keep their change.
          if (!(error instanceof ProvisioningError && error.code === 'PreconditionFailed') || attempt >= MAX_PRECONDITION_RETRIES) throw error;
        }
      }
    },
  };
}
