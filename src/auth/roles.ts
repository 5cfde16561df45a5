/**
 * Who may do what through the API: each token has one role, each role a fixed set of
 * permissions, and each route needs one permission (`api/permissions.ts`). Pure: no I/O.
 */

/** Every permission a route can need. */
export const PERMISSIONS = [
  /** Read apps (without secrets), their status and their configuration. */
  'apps:read',
  /** Create, change and delete apps, their configuration, mappings and secrets; test connections. */
  'apps:write',
  /** Run, pause, resume, restart, quarantine a job and allow its held-back deletions. */
  'jobs:operate',
  /** Provision one object now, or preview it. */
  'on-demand',
  /** Post HR lifecycle events. */
  'lifecycle:events',
  /** Read a person's lifecycle state, events and runs. */
  'lifecycle:read',
  /** Read the provisioning log, the accounts and the metrics. */
  'logs:read',
  /** Read and export the audit log. */
  'audit:read',
  /** Create, list and revoke API tokens. */
  'tokens:manage',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** The roles a token can have. */
export const ROLES = ['admin', 'operator', 'auditor', 'lifecycle'] as const;

export type Role = (typeof ROLES)[number];

const READ: readonly Permission[] = ['apps:read', 'lifecycle:read', 'logs:read'];

/** What each role may do. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  /** Everything. */
  admin: PERMISSIONS,
  /** Runs the jobs and the lifecycle, reads what they did; changes no configuration and no secret. */
  operator: [...READ, 'jobs:operate', 'on-demand', 'lifecycle:events'],
  /** Reads everything but secrets (which nothing reads), the audit log included; changes nothing. */
  auditor: [...READ, 'audit:read'],
  /** The HR system: posts lifecycle events, nothing else. */
  lifecycle: ['lifecycle:events'],
};

/** What a role is for, as the docs and the README show it. */
export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  admin: 'everything',
  operator: 'run, pause, resume, restart, quarantine, allow deletes, on-demand, lifecycle events; reads apps, logs and status',
  auditor: 'read-only: apps without secrets, status, logs, accounts, lifecycle, the audit log',
  lifecycle: 'only the lifecycle events intake (the HR system)',
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Whether a role has a permission.
 *
 * @example
 * can('operator', 'jobs:operate'); // true
 * can('operator', 'apps:write'); // false
 */
export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** A role's permissions, in the order of {@link PERMISSIONS}. */
export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((permission) => can(role, permission));
}
