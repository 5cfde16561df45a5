/**
 * The custom search attributes scimflow sets on its workflows, so that an operator finds any run
 * in the Temporal UI by app, person, employee id (its opaque reference, never the id) or lifecycle
 * event type. None holds a name or an e-mail address.
 */
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

// A CommonJS package: its namespaces come through the default export under plain Node ESM.
const { temporal } = proto;

export const SEARCH_ATTRIBUTES = {
  ScimflowAppId: 'Keyword',
  ScimflowCycleKind: 'Keyword',
  ScimflowObjectId: 'Keyword',
  ScimflowPersonId: 'Keyword',
  ScimflowEmployeeId: 'Keyword',
  ScimflowEventType: 'Keyword',
  ScimflowAppIds: 'KeywordList',
} as const;

const TYPES: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** Registers the search attributes that the namespace does not have yet (a no-op when all exist). */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !known.has(name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, TYPES[type]!])),
  });
  return missing.map(([name]) => name);
}
