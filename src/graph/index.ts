/** Microsoft Graph as a provisioning source: users, groups and their members, delta rounds and app assignments of an Entra tenant. */
export { createGraphSource, type GraphSource, type GraphSourceOptions } from './source';
export { mergeGroupDelta, type GroupDelta, type GroupDeltaPage, type GroupMember, type MemberType } from './groups';
export { addGroupAssignment } from './assignments';
export type { AssignedPrincipals, AssignedVia, UserAppRole } from './assignments';
export type { GraphConnection } from './reader';
export { DEFAULT_AUTHORITY_HOST, DEFAULT_GRAPH_BASE_URL } from './endpoint';
export { createPeopleDirectory, peopleDirectory, type DirectoryPerson, type PeopleDirectory } from './people';
export { testSource, type SourceCheck, type SourceCheckName, type SourceTestResult } from './test-connection';
