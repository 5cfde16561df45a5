/**
 * Finding people in the directory the way HR names them: by employee id (`$filter=employeeId eq
 * '…'`, a filter Graph supports on users without advanced query headers) or by object id.
 */
import type { AppConfig } from '../config/app';
import { createGraphReader, graphPath, type GraphCollection, type GraphConnection, type GraphItem, type GraphReader } from './reader';
import { ProvisioningError } from '../errors/index';

/** A person as the lifecycle intake needs them: ids and a name for operators. */
export interface DirectoryPerson {
  objectId: string;
  employeeId: string | null;
  displayName: string | null;
}

export interface PeopleDirectory {
  /** The users with this employee id (normally one; HR data can hold duplicates). */
  findByEmployeeId(employeeId: string): Promise<DirectoryPerson[]>;
  /** One user by object id, or undefined when Graph does not know it. */
  get(objectId: string): Promise<DirectoryPerson | undefined>;
}

const SELECT = 'id,employeeId,displayName';

function toDirectoryPerson(item: GraphItem): DirectoryPerson {
  return {
    objectId: String(item.id),
    employeeId: typeof item.employeeId === 'string' ? item.employeeId : null,
    displayName: typeof item.displayName === 'string' ? item.displayName : null,
  };
}

/** OData string literal: single quotes doubled. */
function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** People lookups over a Graph reader. */
export function peopleDirectory(reader: GraphReader): PeopleDirectory {
  return {
    async findByEmployeeId(employeeId) {
      const page = await reader.get<GraphCollection>(
        graphPath('/users', { $filter: `employeeId eq ${odataString(employeeId)}`, $select: SELECT }),
      );
      return page.value.map(toDirectoryPerson);
    },
    async get(objectId) {
      try {
        return toDirectoryPerson(await reader.get<GraphItem>(graphPath(`/users/${encodeURIComponent(objectId)}`, { $select: SELECT })));
      } catch (error) {
        if (error instanceof ProvisioningError && error.code === 'NotFound') return undefined;
        throw error;
      }
    },
  };
}

/**
 * The people directory of an app's tenant.
 *
 * @example
 * const people = createPeopleDirectory(app.source, secrets.clientSecret);
 * const [ada] = await people.findByEmployeeId('4711');
 */
export function createPeopleDirectory(connection: GraphConnection | AppConfig['source'], clientSecret: string): PeopleDirectory {
  return peopleDirectory(createGraphReader(connection, clientSecret));
}
