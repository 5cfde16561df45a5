import { describe, expect, it } from 'vitest';
import type { ReconcileOutcome } from '../reconcile/index';
import type { SourceObject } from '../source/index';
import type { Recorded } from './record';
import { streamObjects, type StreamPage } from './stream';

const group = (id: string): SourceObject => ({ id, type: 'group', attributes: { displayName: id } });
const outcome = (id: string): ReconcileOutcome => ({
  sourceId: id,
  sourceDisplay: id,
  objectType: 'group',
  targetId: `t-${id}`,
  action: 'Create',
  status: 'Success',
  reason: 'created',
  changes: [],
  steps: [],
});

describe('streamObjects', () => {
  it('never processes two appearances of one object at once: a group Graph repeats on the next page waits for the first', async () => {
    async function* pages(): AsyncGenerator<StreamPage> {
      yield { link: 'p1', objects: [group('g1'), group('g2'), group('big')] };
      yield { link: 'p2', objects: [group('big'), group('g3')] };
      yield { link: 'p3', objects: [group('big')] };
    }
    const running = new Map<string, number>();
    let most = 0;
    const order: string[] = [];
    const recorded: Recorded[] = [];
    const { processed } = await streamObjects({
      pages: pages(),
      skipInFirstPage: 0,
      concurrency: 8,
      groupSize: 2,
      prefetch: async () => {},
      process: async (object) => {
        running.set(object.id, (running.get(object.id) ?? 0) + 1);
        most = Math.max(most, running.get(object.id)!);
        order.push(`start ${object.id}`);
        await new Promise((r) => setTimeout(r, object.id === 'big' ? 30 : 5));
        order.push(`end ${object.id}`);
        running.set(object.id, running.get(object.id)! - 1);
        const now = new Date();
        return { records: [{ outcome: outcome(object.id), startedAt: now, finishedAt: now }] };
      },
      record: async (records) => {
        recorded.push(...records);
      },
      onProgress: () => {},
    });
    expect(processed).toBe(6);
    expect(most).toBe(1);
    const big = order.filter((step) => step.endsWith(' big'));
    expect(big).toEqual(['start big', 'end big', 'start big', 'end big', 'start big', 'end big']);
    expect(recorded.map((r) => r.outcome.sourceId).sort()).toEqual(['big', 'big', 'big', 'g1', 'g2', 'g3']);
  });
});
