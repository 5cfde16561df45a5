/** Who is assigned to an app: its service principal's app role assignments, groups expanded. */
import { graphPath, type GraphReader } from './reader';

export interface AssignedPrincipals {
  userIds: Set<string>;
  groupIds: Set<string>;
}

/** Users and groups assigned directly to the service principal (`appRoleAssignedTo`, all pages). */
export async function readAssignedPrincipals(reader: GraphReader, servicePrincipalId: string): Promise<AssignedPrincipals> {
  const assignments = await reader.all(
    graphPath(`/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/appRoleAssignedTo`, { $top: 999 }),
  );
  const principals: AssignedPrincipals = { userIds: new Set(), groupIds: new Set() };
  for (const assignment of assignments) {
    const { principalId, principalType } = assignment;
    if (typeof principalId !== 'string') continue;
    if (principalType === 'User') principals.userIds.add(principalId);
    else if (principalType === 'Group') principals.groupIds.add(principalId);
  }
  return principals;
}

/** How a user is assigned to an app: directly, through these assigned groups (nested members included), or both. */
export interface AssignedVia {
  direct: boolean;
  groupIds: string[];
}

/** The users in scope of an assignment, each with how: direct user assignments plus transitive user members of assigned groups. */
export async function readAssignedUsers(reader: GraphReader, servicePrincipalId: string): Promise<Map<string, AssignedVia>> {
  const { userIds, groupIds } = await readAssignedPrincipals(reader, servicePrincipalId);
  const all = new Map<string, AssignedVia>([...userIds].map((id) => [id, { direct: true, groupIds: [] }]));
  for (const groupId of groupIds) {
    const members = await reader.all(
      graphPath(`/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`, { $select: 'id', $top: 999 }),
    );
    for (const member of members) if (typeof member.id === 'string') addGroupAssignment(all, member.id, groupId);
  }
  return all;
}

/** Records that `userId` is assigned through `groupId`. */
export function addGroupAssignment(assigned: Map<string, AssignedVia>, userId: string, groupId: string): void {
  const via = assigned.get(userId) ?? { direct: false, groupIds: [] };
  if (!via.groupIds.includes(groupId)) via.groupIds.push(groupId);
  assigned.set(userId, via);
}

/** An app role a user holds in the app: `id` is the appRoleId, `value` what apps receive. */
export interface UserAppRole {
  id: string;
  value: string | null;
  displayName: string;
}

/**
 * The app roles each user holds in the app, directly or through an assigned group (members of
 * nested groups included). Assignments of the default access role (no role defined by the app)
 * give no entry; disabled roles are left out.
 */
export async function readUserAppRoles(reader: GraphReader, servicePrincipalId: string): Promise<Map<string, UserAppRole[]>> {
  const sp = encodeURIComponent(servicePrincipalId);
  const { appRoles } = await reader.get<{ appRoles?: { id?: unknown; value?: unknown; displayName?: unknown; isEnabled?: unknown }[] }>(
    graphPath(`/servicePrincipals/${sp}`, { $select: 'id,appRoles' }),
  );
  const roles = new Map<string, UserAppRole>();
  for (const role of appRoles ?? []) {
    if (typeof role.id !== 'string' || role.isEnabled === false) continue;
    roles.set(role.id, {
      id: role.id,
      value: typeof role.value === 'string' ? role.value : null,
      displayName: String(role.displayName ?? ''),
    });
  }
  const byUser = new Map<string, UserAppRole[]>();
  const grant = (userId: string, role: UserAppRole) => {
    const held = byUser.get(userId) ?? [];
    if (!held.some((r) => r.id === role.id)) held.push(role);
    byUser.set(userId, held);
  };
  const assignments = await reader.all(graphPath(`/servicePrincipals/${sp}/appRoleAssignedTo`, { $top: 999 }));
  const membersOf = new Map<string, string[]>();
  for (const { principalId, principalType, appRoleId } of assignments) {
    const role = typeof appRoleId === 'string' ? roles.get(appRoleId) : undefined;
    if (!role || typeof principalId !== 'string') continue;
    if (principalType === 'User') grant(principalId, role);
    if (principalType !== 'Group') continue;
    let members = membersOf.get(principalId);
    if (!members) {
      const items = await reader.all(
        graphPath(`/groups/${encodeURIComponent(principalId)}/transitiveMembers/microsoft.graph.user`, { $select: 'id', $top: 999 }),
      );
      members = items.flatMap((item) => (typeof item.id === 'string' ? [item.id] : []));
      membersOf.set(principalId, members);
    }
    for (const member of members) grant(member, role);
  }
  return byUser;
}
