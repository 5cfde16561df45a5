/** What the recording scenarios share: reading a run's history and checking it covers what its file is named for. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { eventually } from '../../support/lifecycle';
import { eventSummary, type History } from '../history-files';

/** Scenario file name → history. */
export type Recorded = Record<string, History>;

export type Log = (line: string) => void;

/** The history of one run of a workflow (the current one without `runId`). */
export function historyOf(client: Client, workflowId: string, runId?: string): Promise<History> {
  return client.workflow.getHandle(workflowId, runId).fetchHistory();
}

/** The id of the run the workflow started first (the chain of continue-as-new begins with it). */
export async function firstRunId(handle: WorkflowHandle): Promise<string> {
  const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started?.firstExecutionRunId) throw new Error(`${handle.workflowId} has no first run`);
  return started.firstExecutionRunId;
}

/** Waits until `runId` has continued as new and returns the id of the run it started. */
export async function runContinuedFrom(handle: WorkflowHandle, runId: string): Promise<string> {
  const current = await eventually(
    () => handle.describe(),
    (description) => description.runId !== runId,
    `${handle.workflowId}: the run after ${runId}`,
  );
  return current.runId;
}

/** Waits until the run's history holds every one of `words` (see eventSummary) and returns it. */
export async function historyWith(client: Client, workflowId: string, words: string[], runId?: string): Promise<History> {
  await eventually(
    async () => eventSummary(await historyOf(client, workflowId, runId)),
    (summary) => words.every((word) => summary.includes(word)),
    `${workflowId}: a history with ${words.join(', ')}`,
  );
  return historyOf(client, workflowId, runId);
}

/** Fails unless the history holds every one of `words`; returns the history. */
export function covering(file: string, history: History, words: string[]): History {
  const absent = missing(history, words);
  if (absent.length > 0) throw new Error(`${file} lacks ${absent.join(', ')}: ${eventSummary(history).join(' ')}`);
  return history;
}

function missing(history: History, words: string[]): string[] {
  const summary = eventSummary(history);
  return words.filter((word) => !summary.includes(word));
}
