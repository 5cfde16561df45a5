/**
 * What identifies a directory object and a target account, read through the app's mappings, so
 * that both are compared in the target's terms (the value an object's mappings give `userName`
 * against the account's `userName`) and in the directory's (its mail, its userPrincipalName).
 */
import type { MappingPort } from '../reconcile/index';
import type { ScimResource } from '../scim/index';
import type { SourceObject, SourceValue } from '../source/index';
import type { AccountView, DirectoryEntry } from './candidates';

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

/** The addresses among a source attribute's values; `smtp:` proxy addresses without their prefix. */
function addresses(value: SourceValue | undefined): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.flatMap((v) => {
    const address = text(v);
    if (!address) return [];
    const bare = address.replace(/^smtp:/i, '');
    return bare.includes('@') ? [bare] : [];
  });
}

/**
 * A directory object as the candidate rules see it. The object is mapped as a create would map
 * it; an object its mappings fail on (an expression error) is still known by its own attributes.
 */
export function directoryEntry(object: SourceObject, mapping: MappingPort): DirectoryEntry {
  const { attributes } = object;
  const matching: Record<string, string> = {};
  const mapped: string[] = [];
  try {
    const desired = mapping.map(object, 'create');
    for (const { path, value } of desired.matching) if (!(path in matching)) matching[path] = String(value);
    for (const [path, value] of Object.entries(desired.values)) {
      if (path.toLowerCase().startsWith('emails')) mapped.push(...addresses(value as SourceValue));
    }
  } catch {
    // Mappings that fail on this object give it no matching values; its own addresses and names remain.
  }
  return {
    id: object.id,
    displayName: text(attributes['displayName']),
    userPrincipalName: text(attributes['userPrincipalName']),
    mail: text(attributes['mail']),
    matching,
    emails: [
      ...new Set([
        ...addresses(attributes['mail']),
        ...addresses(attributes['otherMails']),
        ...addresses(attributes['proxyAddresses']),
        ...mapped,
      ]),
    ],
  };
}

/** A target account (SCIM User or Group) as the candidate rules see it. */
export function accountView(resource: ScimResource, mapping: MappingPort): AccountView {
  const matching: Record<string, string> = {};
  for (const [path, value] of Object.entries(mapping.read(resource, mapping.matchingPaths))) {
    if (typeof value === 'string' || typeof value === 'number') matching[path] = String(value);
  }
  const emails = Array.isArray(resource['emails'])
    ? resource['emails'].flatMap((email: unknown) => {
        const value = text((email as { value?: unknown } | null)?.value);
        return value ? [value] : [];
      })
    : [];
  const active = resource['active'];
  return {
    userName: text(resource['userName']),
    displayName: text(resource['displayName']),
    externalId: text(resource.externalId),
    emails,
    matching,
    active: typeof active === 'boolean' ? active : typeof active === 'string' ? active.toLowerCase() !== 'false' : null,
  };
}
