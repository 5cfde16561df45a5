/**
 * The two kinds of object the engine provisions, described once each: where a kind's objects are
 * read (a page of a delta round, objects whole by id, the ids assigned to the app), how they are
 * reconciled, and what follows an object's own write (for a group, its members). Everything
 * else (the stream, the scope decision, the record path, escrow, assignments) is the same code
 * for both.
 */
import type { AssignedVia } from '../graph/index';
import type { ScopingFilter } from '../mapping/scoping/index';
import { reconcileObject, type AnchorRecord, type ReconcileContext, type ReconcileOutcome, type ScopeDecision } from '../reconcile/index';
import type { ResourceEndpoint } from '../scim/index';
import type { ObjectType, SourceObject, SourcePage } from '../source/index';
import type { AppContext } from './app-context';
import type { RoundKind } from './contract';
import type { SyncEnv } from './env';
import { writeMembers } from './members';
import type { Recorded, Run } from './record';
import type { Processed } from './stream';

/** One object to process, with everything its kind needs. */
export interface ObjectJob {
  env: SyncEnv;
  ctx: AppContext;
  object: SourceObject;
  scope: ScopeDecision;
  /** The reconcile context of the batch (anchors held back until recorded), with the cycle's guard and index. */
  context: ReconcileContext;
  /** The object's anchor before this reconcile. */
  before: AnchorRecord | undefined;
  run: Run;
}

export interface ObjectKind {
  type: ObjectType;
  /** The kind's name in scope details and log lines. */
  noun: 'user' | 'group';
  /** The target's resource endpoint. */
  endpoint: ResourceEndpoint;
  /** Attributes a listing of the target leaves out: only the matching attributes are needed. */
  listingExcludes: string[];
  /** People have a lifecycle state: someone who has left stays out of every app's scope. */
  people: boolean;
  /** The ids `assigned` returns include objects assigned through a group. */
  assignedThroughGroups: boolean;
  /** Whether the app provisions this kind. */
  enabled(ctx: AppContext): boolean;
  /** Why the target takes no objects of this kind, when it takes none: they are logged as skipped, nothing is sent. */
  unsupported(ctx: AppContext): string | undefined;
  reconcile(ctx: AppContext): ReconcileContext;
  scoping(ctx: AppContext): ScopingFilter | undefined;
  /** One page of a delta round: its first page when `link` is absent. */
  readPage(ctx: AppContext, link: string | undefined, round: RoundKind): Promise<SourcePage>;
  /** Current full objects by id; unknown ids are left out. */
  readWhole(ctx: AppContext, ids: readonly string[]): Promise<SourceObject[]>;
  /** The objects assigned to the app's service principal, by id, each with how. */
  assigned(ctx: AppContext, servicePrincipalId: string): Promise<Map<string, AssignedVia>>;
  /** Objects reconciled at once for an app whose target requests are bounded by `concurrency`. */
  objectsAtOnce(ctx: AppContext, concurrency: number): number;
  /** Reconciles one object and what depends on it. */
  process(job: ObjectJob): Promise<Processed>;
}

/**
 * With SCIM Bulk the writes of concurrent reconciles travel together and each waits for its
 * batch, so more objects are reconciled at once to fill the batches; the target still sees at
 * most the app's request concurrency.
 */
const BULK_OBJECT_FACTOR = 4;

/** The reason code of groups skipped because the target has no Group resource type. */
export const GROUPS_UNSUPPORTED = 'GroupsNotSupported';

/** More objects at once with Bulk, whose batches carry their writes in few requests (users and groups alike). */
function bulkAware(ctx: AppContext, concurrency: number): number {
  const { bulk } = ctx.profile;
  return bulk.supported && bulk.maxOperations > 1 ? Math.min(concurrency * BULK_OBJECT_FACTOR, bulk.maxOperations) : concurrency;
}

const one = async (job: ObjectJob, reconcile: () => Promise<ReconcileOutcome>): Promise<Recorded> => {
  const startedAt = job.env.now();
  const outcome = await reconcile();
  return { outcome, startedAt, finishedAt: job.env.now(), ...(job.scope.reason && { scope: job.scope.reason }) };
};

export const USERS: ObjectKind = {
  type: 'user',
  noun: 'user',
  endpoint: 'Users',
  listingExcludes: [],
  people: true,
  assignedThroughGroups: true,
  enabled: () => true,
  unsupported: () => undefined,
  reconcile: (ctx) => ctx.users,
  scoping: (ctx) => ctx.app.scoping?.user,
  readPage: (ctx, link) => ctx.source.readUsersDelta(link),
  readWhole: (ctx, ids) => ctx.source.getUsers(ids),
  assigned: (ctx, servicePrincipalId) => ctx.source.assignedUsers(servicePrincipalId),
  objectsAtOnce: bulkAware,
  async process(job) {
    return { records: [await one(job, () => reconcileObject(job.context, job.object, job.scope))] };
  },
};

/** The outcome of a second reconcile, with the first attempt's steps before its own (the failed export as a warning). */
function triedAgain(first: ReconcileOutcome, second: ReconcileOutcome): ReconcileOutcome {
  const before = first.steps.map((step) =>
    step.name === 'export' && step.status === 'Failure'
      ? { ...step, status: 'Warning' as const, detail: `${step.detail}; reconciling once more` }
      : step,
  );
  return { ...second, steps: [...before, ...second.steps.filter((step) => step.name !== 'import' && step.name !== 'scoping')] };
}

export const GROUPS: ObjectKind = {
  type: 'group',
  noun: 'group',
  endpoint: 'Groups',
  listingExcludes: ['members'],
  people: false,
  assignedThroughGroups: false,
  enabled: (ctx) => ctx.app.groups?.enabled ?? false,
  unsupported: (ctx) =>
    ctx.profile.resourceTypes.group
      ? undefined
      : `${GROUPS_UNSUPPORTED}: the target announces no Group resource type (GET /ResourceTypes), so groups are not provisioned; ` +
        'set groups.enabled to false, or override the capability resourceTypes.group if the target does take groups',
  reconcile: (ctx) => ctx.groups,
  scoping: (ctx) => ctx.app.scoping?.group,
  async readPage(ctx, link, round) {
    const page = await ctx.source.readGroupsDelta(link);
    const objects = page.groups.map((g): SourceObject => {
      if (g.removed) return { id: g.id, type: 'group', attributes: {}, removed: g.removed };
      // An initial round compares every group's whole membership (Graph spreads a large group over several pages).
      const memberDelta =
        round === 'incremental' ? { memberDelta: { added: g.membersAdded, removed: g.membersRemoved, types: g.memberTypes } } : {};
      return { id: g.id, type: 'group', attributes: g.attributes, ...(g.partial && { partial: true }), ...memberDelta };
    });
    return { objects, ...(page.nextLink && { nextLink: page.nextLink }), ...(page.deltaLink && { deltaLink: page.deltaLink }) };
  },
  readWhole: (ctx, ids) => ctx.source.getGroups(ids),
  assigned: async (ctx, servicePrincipalId) =>
    new Map([...(await ctx.source.assignedPrincipals(servicePrincipalId)).groupIds].map((id) => [id, { direct: true, groupIds: [] }])),
  objectsAtOnce: bulkAware,
  async process(job) {
    const record = await one(job, async () => {
      const outcome = await reconcileObject(job.context, job.object, job.scope);
      if (outcome.status !== 'Failure' || outcome.error?.kind !== 'transient') return outcome;
      // A write with an unknown outcome (an answer lost, a 5xx) is reconciled once more at once:
      // a create that reached the target is then matched (with live filter queries: a listing
      // taken before the lost create cannot show it) and linked, so the members follow this round.
      const { index: _snapshot, ...live } = job.context;
      return triedAgain(outcome, await reconcileObject(live, job.object, job.scope));
    });
    try {
      return { records: [record, ...(await writeMembers(job, record.outcome))] };
    } catch (error) {
      return { records: [record], retry: error };
    }
  },
};

export const OBJECT_KINDS: Record<ObjectType, ObjectKind> = { user: USERS, group: GROUPS };
