/** Reading back what a SCIM tenant holds, to check a run's result. */
import type { ResourceEndpoint, ScimClient, ScimResource } from '../src/scim/index';

/** Every resource of an endpoint, listed in pages; throws when the listing contradicts itself. */
export async function listResources(client: ScimClient, endpoint: ResourceEndpoint, pageSize = 1000): Promise<ScimResource[]> {
  const resources: ScimResource[] = [];
  const ids = new Set<string>();
  for (let startIndex = 1; ;) {
    const page = await client.list(endpoint, { startIndex, count: pageSize });
    const listed = page.Resources ?? [];
    for (const resource of listed) {
      const id = String(resource.id);
      if (ids.has(id)) throw new Error(`the target listed ${endpoint} ${id} twice`);
      ids.add(id);
      resources.push(resource);
    }
    if (listed.length === 0 || resources.length >= page.totalResults) {
      if (resources.length !== page.totalResults)
        throw new Error(`the target reports ${page.totalResults} ${endpoint} but listed ${resources.length}`);
      return resources;
    }
    startIndex += listed.length;
  }
}

/** Every user's userName. */
export async function listUserNames(client: ScimClient, pageSize = 1000): Promise<string[]> {
  return (await listResources(client, 'Users', pageSize)).map((resource) => String(resource.userName));
}

/** What a tenant should hold: users by source id, and groups with their members (source ids). */
export interface ExpectedTenant {
  users: readonly { id: string; userPrincipalName?: unknown; jobTitle?: unknown }[];
  groups: readonly { displayName: string; members: ReadonlySet<string> }[];
}

/** What {@link checkTenant} counted in the tenant. */
export interface TenantCheck {
  users: number;
  groups: number;
  memberships: number;
  duplicateMembers: number;
}

/**
 * Lists a tenant's users and groups and throws unless it holds exactly the expected ones: every
 * user once with its title, every group once by display name, each with exactly its members
 * (target ids of the expected users) and no member twice.
 */
export async function checkTenant(client: ScimClient, expected: ExpectedTenant, what: string): Promise<TenantCheck> {
  const users = await listResources(client, 'Users');
  const groups = await listResources(client, 'Groups');
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 10) problems.push(text);
  };

  const byUserName = new Map(users.map((user) => [String(user.userName), user]));
  if (users.length !== expected.users.length) problem(`${users.length} users, expected ${expected.users.length}`);
  if (byUserName.size !== users.length) problem(`${users.length - byUserName.size} userNames held twice`);
  const targetIdOf = new Map<string, string>();
  for (const user of expected.users) {
    const held = byUserName.get(String(user.userPrincipalName));
    if (!held) {
      problem(`no user ${String(user.userPrincipalName)}`);
      continue;
    }
    targetIdOf.set(user.id, String(held.id));
    if (held.title !== user.jobTitle)
      problem(`user ${String(user.userPrincipalName)} has title ${JSON.stringify(held.title)}, expected ${JSON.stringify(user.jobTitle)}`);
  }

  const byName = new Map(groups.map((group) => [String(group.displayName), group]));
  if (groups.length !== expected.groups.length) problem(`${groups.length} groups, expected ${expected.groups.length}`);
  if (byName.size !== groups.length) problem(`${groups.length - byName.size} group names held twice`);
  let memberships = 0;
  let duplicateMembers = 0;
  for (const group of expected.groups) {
    const held = byName.get(group.displayName);
    if (!held) {
      problem(`no group ${group.displayName}`);
      continue;
    }
    const values = (Array.isArray(held.members) ? held.members : []).map((member: { value?: unknown }) => String(member.value));
    const distinct = new Set(values);
    memberships += values.length;
    duplicateMembers += values.length - distinct.size;
    const wanted = new Set([...group.members].map((id) => targetIdOf.get(id) ?? `missing user ${id}`));
    const missing = [...wanted].filter((id) => !distinct.has(id)).length;
    const extra = [...distinct].filter((id) => !wanted.has(id)).length;
    if (missing || extra) problem(`group ${group.displayName}: ${missing} members missing, ${extra} not expected`);
  }
  if (duplicateMembers) problem(`${duplicateMembers} members listed twice in a group`);
  const expectedMemberships = expected.groups.reduce((sum, group) => sum + group.members.size, 0);
  if (memberships !== expectedMemberships) problem(`${memberships} memberships, expected ${expectedMemberships}`);
  if (problems.length) throw new Error(`${what} does not hold the expected end state: ${problems.join('; ')}`);
  return { users: users.length, groups: groups.length, memberships, duplicateMembers };
}
