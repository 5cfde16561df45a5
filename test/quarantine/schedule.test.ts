/**
 * The app job's quarantine on Temporal's time-skipping test server: a job whose cycles cannot
 * make progress tries again at +6 h, +12 h, +24 h, then daily, and is disabled once the series
 * has lasted 28 days; a good attempt lifts the quarantine. The activities are in memory: every
 * cycle fails until the test lets it succeed, and the verdict comes from the real rules.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cycleVerdict, DEFAULT_QUARANTINE, givesUp } from '../../src/quarantine/index';
import type { CycleSummary, FinishCycleInput, ScimflowActivities } from '../../src/sync/contract';
import { toolPath } from '../../src/tools/index';
import { appJob } from '../../workflows/app-job';
import { statusQuery } from '../../workflows/definitions';
import { testEnv } from '../support/env';
import { testDataConverter } from '../support/payload-keys';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: await toolPath('temporal-test-server') } },
    client: { dataConverter: testDataConverter },
  });
});

afterAll(async () => {
  await env?.teardown();
});

/** A directory that cannot be reached, in memory: each cycle fails at its first page while `down()`. */
function unreachableSource(down: () => boolean) {
  const cycles: { n: number; at: number; quarantined: boolean }[] = [];
  const alerts: string[] = [];
  const activities: Partial<ScimflowActivities> = {
    lastCycleNumber: async () => 0,
    beginCycle: async ({ appId, n }) => ({
      cycleId: `${appId}:${n}`,
      kind: 'incremental',
      startedAt: new Date().toISOString(),
      startLink: 'delta',
    }),
    countSourceObjects: async () => null,
    processPage: async () => {
      if (down()) throw ApplicationFailure.nonRetryable('No token from the identity platform (network_error)', 'SourceUnavailable');
      return { resync: false, nextLink: null, deltaLink: 'delta', processed: 1 };
    },
    reconcileAssignments: async () => ({ processed: 0 }),
    retryEscrow: async () => ({ processed: 0 }),
    async finishCycle(input: FinishCycleInput): Promise<CycleSummary> {
      const now = await env.currentTimeMs();
      const n = Number(input.cycleId.split(':').at(-1));
      cycles.push({ n, at: now, quarantined: input.quarantined != null });
      const outcome = {
        error: input.error && { code: input.error.code, message: input.error.message },
        counts: { created: 0, updated: input.error ? 0 : 1, disabled: 0, deleted: 0, skipped: 0, failed: 0 },
        referenceFailures: 0,
        staged: 0,
      };
      const verdict = cycleVerdict(outcome, DEFAULT_QUARANTINE);
      const disable =
        verdict !== null && input.quarantined != null && givesUp(Date.parse(input.quarantined.seriesBegan), now, DEFAULT_QUARANTINE);
      if (verdict && disable) alerts.push('Disabled');
      else if (verdict && input.quarantined?.reason !== verdict.reason) alerts.push(verdict.reason);
      const at = new Date(now).toISOString();
      return {
        id: input.cycleId,
        kind: 'incremental',
        state: input.error ? 'failed' : 'succeeded',
        startedAt: at,
        finishedAt: at,
        counts: outcome.counts,
        quarantine: verdict && { ...verdict, ...(disable && { disable: true }) },
      };
    },
  };
  return { activities, cycles, alerts };
}

/** Runs an app job on a worker of its own with these activities, `work` driving it; the job is terminated after. */
async function withJob<T>(
  appId: string,
  activities: Partial<ScimflowActivities>,
  work: (handle: WorkflowHandle<typeof appJob>) => Promise<T>,
): Promise<T> {
  const taskQueue = `quarantine-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: testEnv.workflowBundlePath },
    dataConverter: testDataConverter,
    activities,
  });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(appJob, {
      taskQueue,
      workflowId: `app/${randomUUID()}`,
      args: [{ appId, intervalMinutes: 40 }],
    });
    try {
      return await work(handle);
    } finally {
      await handle.terminate('test over');
    }
  });
}

describe('the quarantine schedule', () => {
  it('tries again at +6 h, +12 h, +24 h, then daily, and disables the job after 28 days', async () => {
    const source = unreachableSource(() => true);
    const status = await withJob('a1', source.activities, async (handle) => {
      await env.sleep(31 * DAY);
      return handle.query(statusQuery);
    });

    const gaps = source.cycles.slice(1).map((c, i) => Math.round((c.at - source.cycles[i]!.at) / HOUR));
    expect(gaps.slice(0, 4)).toEqual([6, 12, 24, 24]);
    expect(gaps.every((gap) => gap <= 24)).toBe(true);
    const first = source.cycles[0]!;
    const last = source.cycles.at(-1)!;
    // The attempts stop at the first one 28 days or more after the series began.
    expect(last.at - first.at).toBeGreaterThanOrEqual(28 * DAY);
    expect(last.at - first.at).toBeLessThan(29 * DAY);
    expect(source.cycles.slice(1).every((c) => c.quarantined)).toBe(true);
    expect(status).toMatchObject({
      state: 'disabled',
      nextRunAt: null,
      quarantine: { reason: 'EncounteredQuarantineException', nextAttempt: null },
    });
    expect(source.alerts).toEqual(['EncounteredQuarantineException', 'Disabled']);
  });

  it('lifts the quarantine with the first attempt that succeeds, and goes back to the cadence', async () => {
    let down = true;
    const source = unreachableSource(() => down);
    const status = await withJob('a2', source.activities, async (handle) => {
      await env.sleep(7 * HOUR);
      expect(await handle.query(statusQuery)).toMatchObject({ state: 'quarantined', quarantine: { seriesCount: 2 } });
      down = false;
      await env.sleep(13 * HOUR);
      return handle.query(statusQuery);
    });
    expect(status).toMatchObject({ state: 'active', quarantine: null });
    // Back on its 40-minute cadence after the attempt at +18 h.
    const after = source.cycles.filter((c) => c.at - source.cycles[0]!.at > 17.5 * HOUR);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(Math.round((after[1]!.at - after[0]!.at) / 60_000)).toBe(40);
  });
});
