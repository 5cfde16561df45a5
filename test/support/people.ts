/** Realistic directory users for tests and benchmarks. */
import type { FakeGraph, UserRecord } from '../fakes/graph/index';

export function person(i: number, domain = 'contoso.test'): Partial<UserRecord> {
  const given = `Given${i}`;
  const family = `Family${i}`;
  return {
    userPrincipalName: `user${i}@${domain}`,
    displayName: `${given} ${family}`,
    givenName: given,
    surname: family,
    mail: `user${i}@${domain}`,
    mailNickname: `user${i}`,
    jobTitle: i % 2 ? 'Engineer' : 'Analyst',
    department: i % 3 ? 'R&D' : 'Sales',
    employeeId: String(100000 + i),
    accountEnabled: true,
  };
}

export function addPeople(graph: FakeGraph, count: number, from = 0): UserRecord[] {
  return Array.from({ length: count }, (_, k) => graph.addUser(person(from + k)));
}
