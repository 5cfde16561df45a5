import { describe, expect, it } from 'vitest';
import { can, isRole, PERMISSIONS, permissionsOf, ROLES, type Permission, type Role } from './roles';

describe('roles', () => {
  // Every role against every permission: a change of either shows here.
  const table: Record<Role, Permission[]> = {
    admin: [...PERMISSIONS],
    operator: ['apps:read', 'jobs:operate', 'on-demand', 'lifecycle:events', 'lifecycle:read', 'logs:read'],
    auditor: ['apps:read', 'lifecycle:read', 'logs:read', 'audit:read'],
    lifecycle: ['lifecycle:events'],
  };

  it.each(ROLES)('%s has exactly its permissions', (role) => {
    expect(permissionsOf(role)).toEqual(table[role]);
    for (const permission of PERMISSIONS) expect(can(role, permission)).toBe(table[role].includes(permission));
  });

  it('keeps configuration and tokens to the admin, and the audit log from the operator', () => {
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      expect(can(role, 'apps:write')).toBe(false);
      expect(can(role, 'tokens:manage')).toBe(false);
    }
    expect(can('operator', 'audit:read')).toBe(false);
  });

  it('knows its roles', () => {
    expect(ROLES.every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole('Admin')).toBe(false);
  });
});
