/**
 * The batch engine: source objects stream in (page after page) and are processed with bounded
 * concurrency as a sliding window, so the target always has work in flight, across page
 * boundaries too. Outcomes are recorded in groups (see record.ts). The leading objects whose
 * outcomes are recorded are reported as a resume point; a retried activity starts there, and
 * objects redone past it find their anchors and are skipped (the log keeps the first entry of
 * each change).
 */
import pMap from 'p-map';
import { ProvisioningError } from '../errors/index';
import type { SourceObject } from '../source/index';
import { Stopped, type ResumePoint } from './progress';
import type { Recorded } from './record';

/** A page of source objects and the link it was read from (null for an in-memory batch). */
export interface StreamPage {
  link: string | null;
  objects: SourceObject[];
}

/** What processing one object gave. */
export interface Processed {
  records: Recorded[];
  /**
   * The object could not be finished for now (a membership change whose outcome is unknown):
   * what it did is recorded, the stream stops with this error, and the retry does the object again.
   */
  retry?: unknown;
}

export interface StreamOptions {
  pages: AsyncIterable<StreamPage>;
  /** Objects of the first page recorded by a previous try. */
  skipInFirstPage: number;
  concurrency: number;
  /** Objects recorded together. */
  groupSize: number;
  /** Reads ahead what processing the objects of a page needs (their anchors, in one query). */
  prefetch(sourceIds: string[]): Promise<void>;
  process(object: SourceObject): Promise<Processed>;
  record(records: Recorded[]): Promise<void>;
  onProgress(point: ResumePoint): void;
  /** Asked before each object: true stops the stream (with `Stopped`) once what is in flight is recorded. */
  shouldStop?: () => boolean;
}

/**
 * Processes and records every object of the pages.
 *
 * @returns how many objects the pages held, including those a previous try had recorded
 */
export async function streamObjects(options: StreamOptions): Promise<{ processed: number }> {
  const pagesRead: { link: string | null; startSeq: number; size: number; skipped: number }[] = [];
  let read = 0;
  let nextSeq = 0;
  /** What stops the stream: a failed record, a configuration error, an object to do again. */
  let stop: { error: unknown } | undefined;
  const stopWith = (error: unknown) => {
    stop ??= { error };
  };

  async function* items(): AsyncGenerator<{ seq: number; object: SourceObject }> {
    let skip = options.skipInFirstPage;
    for await (const page of options.pages) {
      if (stop !== undefined) return;
      const objects = page.objects.slice(skip);
      read += page.objects.length;
      await options.prefetch(objects.map((o) => o.id));
      pagesRead.push({ link: page.link, startSeq: nextSeq, size: objects.length, skipped: skip });
      skip = 0;
      for (const object of objects) yield { seq: nextSeq++, object };
    }
  }

  const done = new Set<number>();
  let leading = 0;
  const resumePoint = (): ResumePoint | undefined => {
    const page = pagesRead.find((p) => leading >= p.startSeq && leading < p.startSeq + p.size);
    return page && { link: page.link, done: page.skipped + (leading - page.startSeq) };
  };

  let pending: { seq: number; processed: Processed }[] = [];
  let recording: Promise<void> = Promise.resolve();
  const flush = () => {
    const group = pending;
    pending = [];
    recording = recording.then(async () => {
      if (group.length === 0) return;
      try {
        await options.record(group.flatMap((g) => g.processed.records));
      } catch (error) {
        stopWith(error);
        return;
      }
      for (const { seq, processed } of group) if (processed.retry === undefined) done.add(seq);
      while (done.delete(leading)) leading += 1;
      const point = resumePoint();
      if (point) options.onProgress(point);
    });
    return recording;
  };

  /**
   * The object of each id being processed: Graph repeats a large group on several pages of a
   * round, and one window spans pages, so a repeat waits for the first to finish (and then sees
   * its anchor) instead of racing it to a second create.
   */
  const inFlight = new Map<string, Promise<unknown>>();

  await pMap(
    items(),
    async ({ seq, object }) => {
      if (stop === undefined && options.shouldStop?.()) stopWith(new Stopped());
      if (stop !== undefined) return;
      let processed: Processed;
      const work = (inFlight.get(object.id) ?? Promise.resolve()).then(() => options.process(object));
      const settled = work.then(
        () => undefined,
        () => undefined,
      );
      inFlight.set(object.id, settled);
      try {
        processed = await work;
      } catch (error) {
        stopWith(error);
        return;
      } finally {
        if (inFlight.get(object.id) === settled) inFlight.delete(object.id);
      }
      const misconfigured = processed.records.find((r) => r.outcome.error?.kind === 'configuration');
      if (misconfigured) stopWith(new ProvisioningError({ ...misconfigured.outcome.error! }));
      if (processed.retry !== undefined) stopWith(processed.retry);
      pending.push({ seq, processed });
      if (pending.length >= options.groupSize) void flush();
    },
    { concurrency: options.concurrency },
  );
  await flush();
  if (stop !== undefined) throw stop.error;
  return { processed: read };
}
