/** Who is assigned to an app: its service principal's app role assignments, groups expanded. */
import { graphPath, type GraphReader } from './reader';

export interface AssignedPrincipals {
  userIds: Set<string>;
  groupIds: Set<string>;
}

/** Users and groups assigned directly to the service principal (`appRoleAssignedTo`, all pages). */
export async function readAssignedPrincipals(reader: GraphReader, servicePrincipalId: string): Promise<AssignedPrincipals> {
  const assignments = await reader.all(graphPath(`/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/appRoleAssignedTo`, { $top: 999 }));
  const principals: AssignedPrincipals = { userIds: new Set(), groupIds: new Set() };
  for (const assignment of assignments) {
    const { principalId, principalType } = assignment;
    if (typeof principalId !== 'string') continue;
    if (principalType === 'User') principals.userIds.add(principalId);
    else if (principalType === 'Group') principals.groupIds.add(principalId);
  }
  return principals;
}

/** The ids of users in scope of an assignment: direct user assignments plus transitive user members of assigned groups. */
export async function readAssignedUserIds(reader: GraphReader, servicePrincipalId: string): Promise<Set<string>> {
  const { userIds, groupIds } = await readAssignedPrincipals(reader, servicePrincipalId);
  const all = new Set(userIds);
  for (const groupId of groupIds) {
    const members = await reader.all(graphPath(`/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`, { $select: 'id', $top: 999 }));
    for (const member of members) if (typeof member.id === 'string') all.add(member.id);
  }
  return all;
}
