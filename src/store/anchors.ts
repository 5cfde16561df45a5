/**
 * Anchors: the link between a source object and the target account written for it, with the
 * managed values last exported (so the planner compares against what we wrote, not against
 * what the target shows) and the last source attributes seen.
 */
import type { Kysely, Selectable } from 'kysely';
import { ProvisioningError } from '../errors/index';
import type { ScopeReason } from '../reconcile/index';
import type { ObjectType } from '../source/index';
import { iso, json, type JsonValue } from './columns';
import { decodeCursor, pageLimit, toPage, type Page } from './cursor';
import type { AnchorsTable, Database } from './tables';

/** `active` while provisioned, `disabled` after a soft deprovision, `deleted` once removed from the target. */
export type AnchorState = 'active' | 'disabled' | 'deleted';

export interface Anchor {
  appId: string;
  objectType: ObjectType;
  sourceId: string;
  targetId: string;
  /** Managed target values last written: SCIM path → value. */
  lastExported: Record<string, JsonValue>;
  state: AnchorState;
  /** The source attributes last seen, or null when none were kept. */
  sourceSnapshot: Record<string, JsonValue> | null;
  /** Why the account is in scope (or not), as decided by the last write that scoped it; null when not recorded. */
  scopeReason: ScopeReason | null;
  createdAt: string;
  updatedAt: string;
}

export interface AnchorInput {
  appId: string;
  objectType: ObjectType;
  sourceId: string;
  targetId: string;
  lastExported: Record<string, JsonValue>;
  /** `active` for a new anchor when absent; an existing anchor keeps its state when absent. */
  state?: AnchorState;
  /** An existing anchor keeps its snapshot when absent; null clears it. */
  sourceSnapshot?: Record<string, JsonValue> | null;
  /** An existing anchor keeps its reason when absent. */
  scopeReason?: ScopeReason;
}

export interface AnchorListOptions {
  objectType?: ObjectType;
  state?: AnchorState;
  /** Page size, 1..1000 (default 100). */
  limit?: number;
  cursor?: string;
}

const TARGET_UNIQUE = 'anchors_target_key';

function toAnchor(row: Selectable<AnchorsTable>): Anchor {
  return {
    appId: row.app_id,
    objectType: row.object_type,
    sourceId: row.source_id,
    targetId: row.target_id,
    lastExported: row.last_exported,
    state: row.state,
    sourceSnapshot: row.source_snapshot,
    scopeReason: row.scope_reason,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const { code, constraint: name } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && name === constraint;
}

/** The anchors repository. */
export function createAnchorsRepository(db: Kysely<Database>) {
  const repository = {
    /** The anchor of one source object, or undefined. */
    async get(appId: string, objectType: ObjectType, sourceId: string): Promise<Anchor | undefined> {
      const row = await db
        .selectFrom('anchors')
        .selectAll()
        .where('app_id', '=', appId)
        .where('object_type', '=', objectType)
        .where('source_id', '=', sourceId)
        .executeTakeFirst();
      return row && toAnchor(row);
    },

    /** The anchors of several source objects, by source id; ids without an anchor are absent. */
    async getMany(appId: string, objectType: ObjectType, sourceIds: readonly string[]): Promise<Map<string, Anchor>> {
      if (sourceIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('anchors')
        .selectAll()
        .where('app_id', '=', appId)
        .where('object_type', '=', objectType)
        .where('source_id', 'in', [...new Set(sourceIds)])
        .execute();
      return new Map(rows.map((row) => [row.source_id, toAnchor(row)]));
    },

    /**
     * Creates or replaces the anchor of a source object. A target id already linked to another
     * source object of the same app and type is a conflict error.
     */
    async upsert(input: AnchorInput): Promise<Anchor> {
      const mutable = {
        target_id: input.targetId,
        last_exported: json(input.lastExported),
        ...(input.state !== undefined && { state: input.state }),
        ...(input.sourceSnapshot !== undefined && {
          source_snapshot: input.sourceSnapshot === null ? null : json(input.sourceSnapshot),
        }),
        ...(input.scopeReason !== undefined && { scope_reason: json(input.scopeReason) }),
      };
      try {
        const row = await db
          .insertInto('anchors')
          .values({
            app_id: input.appId,
            object_type: input.objectType,
            source_id: input.sourceId,
            state: 'active',
            ...mutable,
          })
          .onConflict((oc) =>
            oc.columns(['app_id', 'object_type', 'source_id']).doUpdateSet((eb) => ({ ...mutable, updated_at: eb.fn('now') })),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        return toAnchor(row);
      } catch (error) {
        if (!isUniqueViolation(error, TARGET_UNIQUE)) throw error;
        throw new ProvisioningError({
          kind: 'conflict',
          code: 'Conflict',
          message: `target ${input.objectType} ${input.targetId} is already linked to another source object of app ${input.appId}`,
        });
      }
    },

    /**
     * Creates or replaces many anchors in one statement (the last input of a source object wins).
     * When a target id is already linked to another source object the batch is written row by
     * row instead: the rows that conflict are left out and returned with the error.
     */
    async upsertMany(inputs: readonly (AnchorInput & { state: AnchorState })[]): Promise<{ sourceId: string; error: ProvisioningError }[]> {
      const latest = [
        ...new Map(inputs.map((input) => [`${input.appId}\u0000${input.objectType}\u0000${input.sourceId}`, input])).values(),
      ];
      if (latest.length === 0) return [];
      try {
        await db
          .insertInto('anchors')
          .values(
            latest.map((input) => ({
              app_id: input.appId,
              object_type: input.objectType,
              source_id: input.sourceId,
              target_id: input.targetId,
              last_exported: json(input.lastExported),
              state: input.state,
              scope_reason: input.scopeReason === undefined ? null : json(input.scopeReason),
            })),
          )
          .onConflict((oc) =>
            oc.columns(['app_id', 'object_type', 'source_id']).doUpdateSet((eb) => ({
              target_id: eb.ref('excluded.target_id'),
              last_exported: eb.ref('excluded.last_exported'),
              state: eb.ref('excluded.state'),
              // A row without a reason keeps the one recorded before.
              scope_reason: eb.fn.coalesce('excluded.scope_reason', 'anchors.scope_reason'),
              updated_at: eb.fn('now'),
            })),
          )
          .execute();
        return [];
      } catch (error) {
        if (!isUniqueViolation(error, TARGET_UNIQUE)) throw error;
      }
      const conflicts: { sourceId: string; error: ProvisioningError }[] = [];
      for (const input of latest) {
        try {
          await repository.upsert(input);
        } catch (error) {
          if (!(error instanceof ProvisioningError && error.kind === 'conflict')) throw error;
          conflicts.push({ sourceId: input.sourceId, error });
        }
      }
      return conflicts;
    },

    /** Sets an anchor's state. Returns false when there is no such anchor. */
    async markState(appId: string, objectType: ObjectType, sourceId: string, state: AnchorState): Promise<boolean> {
      const result = await db
        .updateTable('anchors')
        .set((eb) => ({ state, updated_at: eb.fn('now') }))
        .where('app_id', '=', appId)
        .where('object_type', '=', objectType)
        .where('source_id', '=', sourceId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** The anchors holding these target ids, by target id; ids no anchor holds are absent. */
    async byTargetIds(appId: string, objectType: ObjectType, targetIds: readonly string[]): Promise<Map<string, Anchor>> {
      if (targetIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('anchors')
        .selectAll()
        .where('app_id', '=', appId)
        .where('object_type', '=', objectType)
        .where('target_id', 'in', [...new Set(targetIds)])
        .execute();
      return new Map(rows.map((row) => [row.target_id, toAnchor(row)]));
    },

    /** Forgets an anchor. Returns false when there was none. */
    async delete(appId: string, objectType: ObjectType, sourceId: string): Promise<boolean> {
      const result = await db
        .deleteFrom('anchors')
        .where('app_id', '=', appId)
        .where('object_type', '=', objectType)
        .where('source_id', '=', sourceId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** An app's anchors in (object type, source id) order, a page at a time. */
    async listByApp(appId: string, options: AnchorListOptions = {}): Promise<Page<Anchor>> {
      const limit = pageLimit(options.limit, 1000, 100);
      let query = db.selectFrom('anchors').selectAll().where('app_id', '=', appId);
      if (options.objectType !== undefined) query = query.where('object_type', '=', options.objectType);
      if (options.state !== undefined) query = query.where('state', '=', options.state);
      if (options.cursor !== undefined) {
        const [objectType, sourceId] = decodeCursor(options.cursor, ['string', 'string']);
        query = query.where((eb) => eb(eb.refTuple('object_type', 'source_id'), '>', eb.tuple(objectType as ObjectType, sourceId)));
      }
      const rows = await query
        .orderBy('object_type')
        .orderBy('source_id')
        .limit(limit + 1)
        .execute();
      return toPage(rows, limit, toAnchor, (row) => [row.object_type, row.source_id]);
    },

    /**
     * Which of these apps hold a live (enabled or disabled) account for the user. Naming every
     * app lets the anchors' primary key (app, type, source) answer.
     */
    async appsHoldingUser(appIds: readonly string[], sourceId: string): Promise<Set<string>> {
      if (appIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('anchors')
        .select('app_id')
        .where('app_id', 'in', [...appIds])
        .where('object_type', '=', 'user')
        .where('source_id', '=', sourceId)
        .where('state', '!=', 'deleted')
        .execute();
      return new Set(rows.map((row) => row.app_id));
    },

    /** How many anchors an app has, optionally of one type or state. */
    async countByApp(appId: string, filter: { objectType?: ObjectType; state?: AnchorState } = {}): Promise<number> {
      let query = db
        .selectFrom('anchors')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('app_id', '=', appId);
      if (filter.objectType !== undefined) query = query.where('object_type', '=', filter.objectType);
      if (filter.state !== undefined) query = query.where('state', '=', filter.state);
      const { count } = await query.executeTakeFirstOrThrow();
      return count;
    },
  };
  return repository;
}

export type AnchorsRepository = ReturnType<typeof createAnchorsRepository>;
