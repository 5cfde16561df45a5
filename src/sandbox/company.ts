/**
 * A small company for the sandbox directory: Northwind (a made-up firm on the reserved
 * `northwind.example` domain), 39 people in seven departments, each with a manager up to the
 * chief executive, an employee id, a job title and an office, and a security group per
 * department, one for the managers and one for everyone. The same company every time, ids
 * aside.
 */
import type { Directory } from './directory';
import { nicknameOf } from './people-api';

export const COMPANY_DOMAIN = 'northwind.example';

/** One person of the seed: name, title and the department head (or CEO) they report to. */
interface Seat {
  name: string;
  title: string;
}

/** Departments with their head first; everyone else in a department reports to its head. */
const DEPARTMENTS: { name: string; office: string; people: Seat[] }[] = [
  { name: 'Executive', office: 'Seattle', people: [{ name: 'Margaret Okafor', title: 'Chief Executive Officer' }] },
  {
    name: 'Engineering',
    office: 'Seattle',
    people: [
      { name: 'Grace Hopper', title: 'VP Engineering' },
      { name: 'Linus Berg', title: 'Staff Engineer' },
      { name: 'Priya Raman', title: 'Senior Software Engineer' },
      { name: 'Mateo García', title: 'Software Engineer' },
      { name: 'Yuki Tanaka', title: 'Software Engineer' },
      { name: 'Oluwaseun Adeyemi', title: 'Site Reliability Engineer' },
      { name: 'Chloé Dubois', title: 'Security Engineer' },
      { name: 'Anders Nilsson', title: 'Software Engineer' },
      { name: 'Fatima Zahra', title: 'QA Engineer' },
      { name: 'Daniel Kim', title: 'Engineering Intern' },
    ],
  },
  {
    name: 'Sales',
    office: 'New York',
    people: [
      { name: 'Robert Mensah', title: 'VP Sales' },
      { name: 'Sofia Rossi', title: 'Account Executive' },
      { name: 'James O’Connor', title: 'Account Executive' },
      { name: 'Aisha Bello', title: 'Sales Development Representative' },
      { name: 'Lukas Weber', title: 'Sales Engineer' },
      { name: 'Camila Souza', title: 'Account Manager' },
      { name: 'Hiroshi Sato', title: 'Sales Operations Analyst' },
    ],
  },
  {
    name: 'Marketing',
    office: 'New York',
    people: [
      { name: 'Elena Petrova', title: 'Head of Marketing' },
      { name: 'Noah Williams', title: 'Content Strategist' },
      { name: 'Zoë Ångström', title: 'Product Marketing Manager' },
      { name: 'Kwame Asante', title: 'Designer' },
      { name: 'Isabel Fernández', title: 'Marketing Intern' },
    ],
  },
  {
    name: 'Finance',
    office: 'London',
    people: [
      { name: 'Thomas Müller', title: 'Chief Financial Officer' },
      { name: 'Mei Chen', title: 'Controller' },
      { name: 'Arjun Mehta', title: 'Financial Analyst' },
      { name: 'Olivia Brown', title: 'Accounts Payable Specialist' },
    ],
  },
  {
    name: 'People',
    office: 'London',
    people: [
      { name: 'Amara Nwosu', title: 'Head of People' },
      { name: 'Lars Johansson', title: 'People Partner' },
      { name: 'Nadia Haddad', title: 'Recruiter' },
      { name: 'Ben Cohen', title: 'IT Administrator' },
    ],
  },
  {
    name: 'Support',
    office: 'Dublin',
    people: [
      { name: 'Siobhán Murphy', title: 'Support Manager' },
      { name: 'Carlos Mendoza', title: 'Support Engineer' },
      { name: 'Hana Novák', title: 'Support Engineer' },
      { name: 'Ravi Patel', title: 'Support Engineer' },
      { name: 'Emily Clarke', title: 'Technical Writer' },
      { name: 'Tomasz Kowalski', title: 'Support Engineer' },
      { name: 'Leila Karimi', title: 'Customer Success Manager' },
      { name: 'Jonas Schmidt', title: 'Support Engineer' },
    ],
  },
];

/** What the seed put in the directory. */
export interface SeededCompany {
  domain: string;
  /** Every person's id, the chief executive first. */
  people: { id: string; displayName: string; employeeId: string; department: string }[];
  groups: { id: string; displayName: string; members: number }[];
}

/** Adds the company to an empty sandbox directory. */
export function seedCompany(sandbox: Directory): SeededCompany {
  const people: SeededCompany['people'] = [];
  const heads: string[] = [];
  let employeeNumber = 1000;
  let ceo: string | undefined;
  for (const department of DEPARTMENTS) {
    let head: string | undefined;
    for (const seat of department.people) {
      const [givenName, ...rest] = seat.name.split(' ');
      const nickname = nicknameOf(seat.name);
      const employeeId = String(++employeeNumber);
      const user = sandbox.addUser({
        displayName: seat.name,
        givenName: givenName!,
        surname: rest.join(' '),
        userPrincipalName: `${nickname}@${COMPANY_DOMAIN}`,
        mail: `${nickname}@${COMPANY_DOMAIN}`,
        mailNickname: nickname,
        employeeId,
        jobTitle: seat.title,
        department: department.name,
        officeLocation: department.office,
        companyName: 'Northwind (sandbox)',
        usageLocation: department.office === 'Seattle' || department.office === 'New York' ? 'US' : 'GB',
      });
      people.push({ id: user.id, displayName: seat.name, employeeId, department: department.name });
      if (ceo === undefined) ceo = user.id;
      else if (head === undefined) sandbox.setManager(user.id, ceo);
      else sandbox.setManager(user.id, head);
      if (head === undefined) {
        head = user.id;
        heads.push(user.id);
      }
    }
  }

  const groups: SeededCompany['groups'] = [];
  const addGroup = (displayName: string, description: string, members: string[]) => {
    const group = sandbox.addGroup({
      displayName,
      description,
      mailNickname: nicknameOf(displayName).replaceAll('.', '-'),
      securityEnabled: true,
      mailEnabled: false,
      groupTypes: [],
    });
    sandbox.addMembers(group.id, members);
    groups.push({ id: group.id, displayName, members: members.length });
  };
  for (const department of DEPARTMENTS.slice(1)) {
    addGroup(
      department.name,
      `Everyone in ${department.name}`,
      people.filter((person) => person.department === department.name).map((person) => person.id),
    );
  }
  addGroup('Managers', 'The chief executive and the department heads', heads);
  addGroup(
    'All staff',
    'Everyone at Northwind',
    people.map((person) => person.id),
  );
  return { domain: COMPANY_DOMAIN, people, groups };
}
