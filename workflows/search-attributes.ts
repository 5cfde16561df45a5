/**
 * Typed keys of the search attributes scimflow's workflows carry (registered by
 * src/temporal/search-attributes.ts): find any run in the Temporal UI by app or cycle kind,
 * e.g. `ScimflowAppId = "…" AND ScimflowCycleKind = "initial"`.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const APP_ID = defineSearchAttributeKey('ScimflowAppId', SearchAttributeType.KEYWORD);
export const CYCLE_KIND = defineSearchAttributeKey('ScimflowCycleKind', SearchAttributeType.KEYWORD);
