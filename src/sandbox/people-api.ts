/**
 * `/sandbox/people`: changes to the sandbox directory over HTTP, the way HR and IT change a real
 * tenant (a hire, a move, a leave), so that a running demo's next cycle has something to pick up.
 * It is the sandbox's own route, not a Graph one: Graph stays read-only here, as scimflow uses it.
 *
 * - `GET /sandbox/people`: the active people.
 * - `POST /sandbox/people` `{"displayName": "Ada Lovelace", "department"?, "jobTitle"?, "managerId"?}`: a hire (201).
 * - `PATCH /sandbox/people/{id}` `{"department"?, "jobTitle"?, "managerId"?, "accountEnabled"?}`: a move.
 * - `DELETE /sandbox/people/{id}`: the person's user is deleted (soft, restorable, as Entra does), 204.
 */
import { z } from 'zod';
import type { Directory, Json, UserRecord } from './directory';
import { graphError, type SandboxResponse } from './shapes';

/** A person as `/sandbox/people` shows one. */
export interface SandboxPerson {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  employeeId: string | null;
  department: string | null;
  jobTitle: string | null;
  managerId: string | null;
  accountEnabled: boolean;
}

const text = (field: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(256, `${field} must be at most 256 characters`);
const personId = (field: string) => z.uuid({ message: `${field} must be a person's id (a GUID)` });

const hireSchema = z.strictObject(
  {
    displayName: text('displayName').refine((name) => /\p{L}/u.test(name), 'displayName must hold a letter'),
    department: text('department').optional(),
    jobTitle: text('jobTitle').optional(),
    managerId: personId('managerId').optional(),
  },
  { message: 'the body must be an object with displayName' },
);

const moveSchema = z.strictObject(
  {
    department: text('department').nullable().optional(),
    jobTitle: text('jobTitle').nullable().optional(),
    managerId: personId('managerId').nullable().optional(),
    accountEnabled: z.boolean({ message: 'accountEnabled must be true or false' }).optional(),
  },
  { message: 'the body must be an object' },
);

const PEOPLE_PATH = /^\/sandbox\/people(?:\/(?<id>[^/]+))?\/?$/;

export class PeopleApi {
  constructor(
    private readonly directory: Directory,
    /** The domain of new people's user principal names and mail, e.g. `northwind.sandbox`. */
    private readonly domain: string,
  ) {}

  /** Answers a request to `/sandbox/people[/{id}]`; undefined for any other path. */
  handle(method: string, path: string, body: string): SandboxResponse | undefined {
    const match = PEOPLE_PATH.exec(path);
    if (!match) return undefined;
    const id = match.groups?.id;
    if (id === undefined) {
      if (method === 'GET') return { status: 200, body: { people: [...this.directory.users.values()].map((u) => this.person(u)) } };
      if (method === 'POST') return this.hire(body);
      return notAllowed(method, 'GET, POST');
    }
    if (!this.directory.users.has(id)) return graphError(404, 'Request_ResourceNotFound', `No person with the id '${id}' in the sandbox.`);
    if (method === 'GET') return { status: 200, body: this.person(this.directory.users.get(id)!) };
    if (method === 'PATCH') return this.move(id, body);
    if (method === 'DELETE') {
      this.directory.softDeleteUser(id);
      return { status: 204 };
    }
    return notAllowed(method, 'GET, PATCH, DELETE');
  }

  private hire(body: string): SandboxResponse {
    const parsed = parse(hireSchema, body);
    if ('status' in parsed) return parsed;
    const { displayName, department, jobTitle, managerId } = parsed;
    if (managerId !== undefined && !this.directory.users.has(managerId)) return noManager(managerId);
    const [givenName, ...rest] = displayName.split(/\s+/);
    const nickname = this.freeNickname(displayName);
    const user = this.directory.addUser({
      displayName,
      givenName: givenName!,
      ...(rest.length > 0 && { surname: rest.join(' ') }),
      userPrincipalName: `${nickname}@${this.domain}`,
      mail: `${nickname}@${this.domain}`,
      mailNickname: nickname,
      employeeId: this.nextEmployeeId(),
      ...(department !== undefined && { department }),
      ...(jobTitle !== undefined && { jobTitle }),
    });
    if (managerId !== undefined) this.directory.setManager(user.id, managerId);
    return { status: 201, body: this.person(this.directory.users.get(user.id)!) };
  }

  private move(id: string, body: string): SandboxResponse {
    const parsed = parse(moveSchema, body);
    if ('status' in parsed) return parsed;
    const { managerId, ...properties } = parsed;
    if (typeof managerId === 'string' && (managerId === id || !this.directory.users.has(managerId))) return noManager(managerId);
    const patch = Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined)) as Record<string, Json>;
    if (Object.keys(patch).length > 0) this.directory.updateUser(id, patch);
    if (managerId !== undefined) this.directory.setManager(id, managerId);
    return { status: 200, body: this.person(this.directory.users.get(id)!) };
  }

  private person(user: UserRecord): SandboxPerson {
    const optional = (name: string) => (typeof user[name] === 'string' ? user[name] : null);
    return {
      id: user.id,
      displayName: String(user.displayName ?? ''),
      userPrincipalName: String(user.userPrincipalName ?? ''),
      mail: optional('mail'),
      employeeId: optional('employeeId'),
      department: optional('department'),
      jobTitle: optional('jobTitle'),
      managerId: this.directory.managers.get(user.id) ?? null,
      accountEnabled: user.accountEnabled !== false,
    };
  }

  /** `ada.lovelace`, or `ada.lovelace2` when someone has that already (deleted people included). */
  private freeNickname(displayName: string): string {
    const base = nicknameOf(displayName);
    const taken = new Set(
      [...this.directory.users.values(), ...this.directory.softDeleted.values()].map((u) => String(u.mailNickname ?? '').toLowerCase()),
    );
    let nickname = base;
    for (let n = 2; taken.has(nickname); n++) nickname = `${base}${n}`;
    return nickname;
  }

  /** One more than the highest numeric employee id in the directory. */
  private nextEmployeeId(): string {
    let highest = 1000;
    for (const user of [...this.directory.users.values(), ...this.directory.softDeleted.values()]) {
      const id = Number(user.employeeId);
      if (Number.isInteger(id) && id > highest) highest = id;
    }
    return String(highest + 1);
  }
}

/** The nickname of a name, as the sandbox makes user principal names: `zoe.angstrom` for Zoë Ångström. */
export function nicknameOf(displayName: string): string {
  return (
    displayName
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '.')
      .replace(/^\.+|\.+$/g, '') || 'person'
  );
}

/** The body read as JSON and checked, or a 400 naming the first bad field. */
function parse<T>(schema: z.ZodType<T>, body: string): T | SandboxResponse {
  let json: unknown;
  try {
    json = JSON.parse(body || 'null');
  } catch {
    return graphError(400, 'BadRequest', 'The body must be JSON.');
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  // Each message names its field.
  const issue = result.error.issues[0]!;
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` : issue.message;
  return graphError(400, 'BadRequest', message);
}

function noManager(managerId: string): SandboxResponse {
  return graphError(400, 'BadRequest', `managerId: no other person with the id '${managerId}' in the sandbox`);
}

function notAllowed(method: string, allowed: string): SandboxResponse {
  return graphError(405, 'Request_BadRequest', `The method ${method} is not allowed here.`, { allow: allowed });
}
