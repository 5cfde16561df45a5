/**
 * Replays every recorded history (./histories, written by `npm run record-histories`) against
 * the workflow code as it is now: a change that would break a run already in flight (another
 * activity, another order, a timer less) fails here with Temporal's nondeterminism error, naming
 * the history. Every workflow type needs a history, and no history may hold a secret.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Worker, type ReplayResult } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index';
import { installTemporalRuntime } from '../../src/temporal/index';
import * as workflows from '../../workflows/index';
import { testEnv } from '../support/env';
import { HISTORIES_DIR, readHistories, recordingDataConverter, secretsIn } from './history-files';

const histories = await readHistories();
const results = new Map<string, ReplayResult>();

beforeAll(async () => {
  // The worker's state changes stay out of the test output; a replay's own warnings do not.
  installTemporalRuntime(createLogger({ level: 'warn' }));
  // One replay worker for all, on the bundle every other test runs.
  const replayed = Worker.runReplayHistories(
    { workflowBundle: { codePath: testEnv.workflowBundlePath }, dataConverter: recordingDataConverter, replayName: 'recorded-histories' },
    histories.map(({ file, history }) => ({ workflowId: file, history })),
  );
  for await (const result of replayed) results.set(result.workflowId, result);
});

describe('recorded workflow histories', () => {
  it('cover every workflow type', () => {
    const recorded = new Set(histories.map((h) => h.workflowType));
    const types = Object.entries(workflows)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name);
    expect(types.length).toBeGreaterThan(0);
    expect(
      types.filter((type) => !recorded.has(type)),
      'workflow types without a recorded history: add a scenario to test/replay/scenarios and run npm run record-histories',
    ).toEqual([]);
    expect(
      histories.filter((h) => !basename(h.file).startsWith(`${h.workflowType}-`)).map((h) => h.file),
      'files named after another workflow type',
    ).toEqual([]);
  });

  it.each(histories.map((h) => h.file))('%s replays against the current workflow code', (file) => {
    const result = results.get(file);
    expect(result, `${file} was not replayed`).toBeDefined();
    if (result!.error) throw new Error(`${file} does not replay: ${result!.error.name}: ${result!.error.message}`);
  });

  it.each(histories.map((h) => h.file))('%s holds no secret', async (file) => {
    expect(await secretsIn(await readFile(join(HISTORIES_DIR, file), 'utf8'))).toEqual([]);
  });
});
