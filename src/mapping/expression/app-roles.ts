/**
 * The `[appRoleAssignments]` source attribute and how AppRoleAssignmentsComplex and
 * SingleAppRoleAssignment read it.
 */
import type { SourceValue } from '../../source/index';
import type { Call } from './evaluate';
import { DateTimeValue, isNull } from './values';

/**
 * One app role a user holds in the provisioned app, directly or through a group: an element of
 * the `appRoleAssignments` source attribute. The Graph side resolves each of the user's
 * assignments to this app (`appRoleId`) against the service principal's `appRoles`.
 *
 * @example { id: '4f8f8ae5-8ad5-4fb4-9c4e-1ba1b0c3e9d1', value: 'admin', displayName: 'Administrator' }
 */
export type AppRoleAssignmentValue = {
  /** The app role's id (`appRoleAssignment.appRoleId`, `appRole.id`). */
  id: string;
  /** The app role's value (`appRole.value`): what the app knows the role by, the SCIM role `value`. */
  value: string;
  /** The app role's display name (`appRole.displayName`), the SCIM role `display`. */
  displayName: string;
};

/** A role as the functions write it. */
export interface AppRole {
  value: string;
  display: string;
}

/**
 * A role assignment as the source gives it: an {@link AppRoleAssignmentValue}, another object
 * with `value` (or `appRoleValue`, or at least `appRoleId`) and optionally `displayName`, or the
 * role's value as a string.
 */
function appRole(assignment: SourceValue, call: Call): AppRole {
  if (typeof assignment === 'string') return { value: assignment, display: assignment };
  if (typeof assignment === 'object' && assignment !== null && !Array.isArray(assignment)) {
    const value = assignment.value ?? assignment.appRoleValue ?? assignment.appRoleId;
    const display = assignment.displayName ?? value;
    if (typeof value === 'string' && value !== '' && typeof display === 'string') return { value, display };
  }
  return call.fail('each app role assignment must be a role value or an object with "value" (and "displayName")');
}

/**
 * The roles argument 0 holds, each once: a user can hold one role both directly and through a
 * group (two assignments, one role), and the role's value names it in the app. Null gives none.
 */
export function appRoles(call: Call): AppRole[] {
  const value = call.value(0);
  if (isNull(value)) return [];
  if (value instanceof DateTimeValue) return call.fail('[appRoleAssignments] must hold role assignments, not a date');
  const roles: AppRole[] = [];
  for (const assignment of Array.isArray(value) ? value : [value]) {
    const role = appRole(assignment, call);
    if (!roles.some((held) => held.value === role.value)) roles.push(role);
  }
  return roles;
}
