/**
 * Typed keys of the search attributes scimflow's workflows carry (registered by
 * src/temporal/search-attributes.ts): find any run in the Temporal UI by app or cycle kind,
 * e.g. `ScimflowAppId = "…" AND ScimflowCycleKind = "initial"`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { workflowInfo } from '@temporalio/workflow';

export const APP_ID = defineSearchAttributeKey('ScimflowAppId', SearchAttributeType.KEYWORD);
export const CYCLE_KIND = defineSearchAttributeKey('ScimflowCycleKind', SearchAttributeType.KEYWORD);

/**
 * Whether this run carries scimflow's search attributes: its starter sets the app's id (the API
 * always does). A namespace without them registered (Temporal's time-skipping test server cannot
 * register any) refuses them, so such runs go without, the same otherwise but not searchable.
 */
export const searchable = (): boolean => workflowInfo().typedSearchAttributes.get(APP_ID) !== undefined;
