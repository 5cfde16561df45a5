/**
 * Search attributes of a lifecycle run. The starter sets the person, employee id and event type
 * (they are known before the run starts); the run adds the apps it touches. It does so only
 * when it was started with search attributes: a namespace without scimflow's attributes
 * registered (Temporal's time-skipping test server cannot register any) refuses the upsert, and
 * the run would stall on it. A run without them works the same, it is just not searchable.
 */
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { APP_IDS, EVENT_TYPE, PERSON_ID } from './definitions';

/** Whether the starter set search attributes (the event type is always among them). */
const searchable = () => workflowInfo().typedSearchAttributes.get(EVENT_TYPE) !== undefined;

export function recordAppIds(appIds: readonly string[]): void {
  if (searchable()) upsertSearchAttributes([{ key: APP_IDS, value: [...new Set(appIds)] }]);
}

/** A joiner started by employee id alone becomes findable by person once the directory knows them. */
export function recordPersonId(objectId: string): void {
  if (searchable()) upsertSearchAttributes([{ key: PERSON_ID, value: objectId }]);
}
