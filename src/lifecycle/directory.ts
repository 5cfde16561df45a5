/**
 * Where lifecycle events' people are looked up: the directory (Graph) of the tenant of the
 * oldest app, since every app of an organisation reads the same tenant. The client is rebuilt
 * when that app changes.
 */
import { createPeopleDirectory, type PeopleDirectory } from '../graph/index';
import type { Store } from '../store/index';

export function directoryOfApps(store: Store): () => Promise<PeopleDirectory | undefined> {
  let cached: { key: string; directory: PeopleDirectory } | undefined;
  return async () => {
    const [app] = (await store.apps.list()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    if (!app) return undefined;
    const key = `${app.id}:${app.updatedAt}`;
    if (cached?.key !== key)
      cached = { key, directory: createPeopleDirectory(app.source, (await store.apps.getSecrets(app.id)).clientSecret) };
    return cached.directory;
  };
}

/** The key a person is known by before the directory knows them: their employee id. */
export function employeeKey(employeeId: string): string {
  return `employee:${employeeId}`;
}
