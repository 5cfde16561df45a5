/**
 * The batch engine of a cycle: source objects stream in (page after page) and are reconciled
 * with bounded concurrency as a sliding window, so the target always has `concurrency` requests
 * in flight, across page boundaries too. Results are saved in groups: first the log entries,
 * then the anchors in one statement, then escrow, so an anchor never exists without its log
 * entry. The leading objects whose results are saved are reported as a resume point; a retried
 * activity starts there, and objects redone past it find their anchors and are skipped (the log
 * keeps the first entry of each change).
 */
import pMap from 'p-map';
import { ProvisioningError } from '../src/errors/index';
import { reconcileObject, type ReconcileContext, type ReconcileOutcome, type ScopeDecision } from '../src/reconcile/index';
import type { SourceObject } from '../src/source/index';
import type { AnchorBatch, AppContext } from './app-context';
import type { ResumePoint } from './heartbeat';

/** A page of source objects and the link it was read from (null for an in-memory batch). */
export interface StreamPage {
  link: string | null;
  objects: SourceObject[];
}

export interface StreamOptions {
  ctx: AppContext;
  pages: AsyncIterable<StreamPage>;
  /** Objects of the first page already saved by a previous attempt. */
  skipInFirstPage: number;
  scope: (source: SourceObject) => ScopeDecision;
  /** Extra parts of the reconcile context: a target index, the deprovisioning guard. */
  extend?: Partial<Pick<ReconcileContext, 'index' | 'guard'>>;
  concurrency: number;
  /** Results saved together. */
  groupSize: number;
  /** Saves a group of results (log entries, then anchors, then escrow). */
  save(batch: AnchorBatch, group: { outcome: ReconcileOutcome; startedAt: Date }[]): Promise<void>;
  onProgress(point: ResumePoint): void;
  now: () => Date;
}

export interface StreamResult {
  /** Objects of the pages read, including those a previous attempt had saved. */
  processed: number;
  outcomes: Pick<ReconcileOutcome, 'action' | 'status'>[];
}

export async function reconcileStream(options: StreamOptions): Promise<StreamResult> {
  const { ctx, now } = options;
  const batch = ctx.batch();
  const users: ReconcileContext = { ...batch.context, ...options.extend };
  const pagesRead: { link: string | null; startSeq: number; size: number; skipped: number }[] = [];
  let read = 0;
  let nextSeq = 0;

  async function* items(): AsyncGenerator<{ seq: number; source: SourceObject }> {
    let skip = options.skipInFirstPage;
    for await (const page of options.pages) {
      const objects = page.objects.slice(skip);
      read += page.objects.length;
      await batch.prefetch(objects.map((o) => o.id));
      pagesRead.push({ link: page.link, startSeq: nextSeq, size: objects.length, skipped: skip });
      skip = 0;
      for (const source of objects) yield { seq: nextSeq++, source };
    }
  }

  const saved = new Set<number>();
  let leading = 0;
  const resumePoint = (): ResumePoint | undefined => {
    const page = pagesRead.find((p) => leading >= p.startSeq && leading < p.startSeq + p.size);
    return page && { link: page.link, done: page.skipped + (leading - page.startSeq) };
  };

  const outcomes: StreamResult['outcomes'] = [];
  /** A failed save stops the stream; so does a configuration error (after its result is saved). */
  let saveError: unknown;
  let halt: ProvisioningError | undefined;
  let pending: { seq: number; outcome: ReconcileOutcome; startedAt: Date }[] = [];
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    const group = pending;
    pending = [];
    saving = saving.then(async () => {
      if (group.length === 0 || saveError) return;
      try {
        await options.save(batch, group);
        for (const { seq } of group) saved.add(seq);
        while (saved.delete(leading)) leading += 1;
        const point = resumePoint();
        if (point) options.onProgress(point);
      } catch (error) {
        saveError ??= error;
      }
    });
    return saving;
  };

  await pMap(
    items(),
    async ({ seq, source }) => {
      if (saveError || halt) return;
      const startedAt = now();
      const outcome = await reconcileObject(users, source, options.scope(source));
      if (outcome.error?.kind === 'configuration') halt ??= new ProvisioningError({ ...outcome.error });
      outcomes.push({ action: outcome.action, status: outcome.status });
      pending.push({ seq, outcome, startedAt });
      if (pending.length >= options.groupSize) void save();
    },
    { concurrency: options.concurrency },
  );
  await save();
  if (saveError) throw saveError;
  if (halt) throw halt;
  return { processed: read, outcomes };
}
