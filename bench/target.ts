/** Reading back what a SCIM tenant holds, to check a run's result. */
import type { ScimClient } from '../src/scim/index';

/** Every user's userName, listed in pages; throws when the listing contradicts itself. */
export async function listUserNames(client: ScimClient, pageSize = 1000): Promise<string[]> {
  const names: string[] = [];
  const ids = new Set<string>();
  for (let startIndex = 1; ; ) {
    const page = await client.listUsers({ startIndex, count: pageSize });
    const resources = page.Resources ?? [];
    for (const resource of resources) {
      const id = String(resource.id);
      if (ids.has(id)) throw new Error(`the target listed user ${id} twice`);
      ids.add(id);
      names.push(String(resource.userName));
    }
    if (resources.length === 0 || names.length >= page.totalResults) {
      if (names.length !== page.totalResults) throw new Error(`the target reports ${page.totalResults} users but listed ${names.length}`);
      return names;
    }
    startIndex += resources.length;
  }
}
