import { describe, expect, it } from 'vitest';
import { seedCompany } from './company';
import { Directory } from './directory';

describe('seedCompany', () => {
  const directory = new Directory();
  const company = seedCompany(directory);
  const users = [...directory.users.values()];

  it('adds 39 people with distinct names, employee ids and the fields the default mapping reads', () => {
    expect(company.people).toHaveLength(39);
    expect(users).toHaveLength(39);
    expect(new Set(users.map((u) => u.userPrincipalName)).size).toBe(39);
    expect(new Set(users.map((u) => u.employeeId)).size).toBe(39);
    for (const user of users) {
      expect(user).toMatchObject({ accountEnabled: true, userPrincipalName: expect.stringMatching(/^[a-z0-9.]+@northwind\.example$/) });
      for (const field of ['givenName', 'surname', 'displayName', 'mail', 'mailNickname', 'jobTitle', 'department'])
        expect(user[field]).toBeTruthy();
    }
    expect(users.find((u) => u.displayName === 'Zoë Ångström')?.userPrincipalName).toBe('zoe.angstrom@northwind.example');
  });

  it('gives everyone but the chief executive a manager, and every chain ends at the chief executive', () => {
    const [ceo] = company.people;
    expect(directory.managers.has(ceo!.id)).toBe(false);
    for (const person of company.people.slice(1)) {
      let at = person.id;
      for (let hops = 0; at !== ceo!.id; hops++) {
        expect(hops).toBeLessThan(3);
        at = directory.managers.get(at)!;
        expect(at).toBeDefined();
      }
    }
  });

  it('makes a group per department, one of the managers and one of everyone', () => {
    const groups = Object.fromEntries(company.groups.map((g) => [g.displayName, g.members]));
    expect(groups).toEqual({ Engineering: 10, Sales: 7, Marketing: 5, Finance: 4, People: 4, Support: 8, Managers: 7, 'All staff': 39 });
    for (const group of company.groups) expect(directory.directMembers(group.id)).toHaveLength(group.members);
  });
});
