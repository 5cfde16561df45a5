import { defineUpdate, setHandler, condition, sleep } from '@temporalio/workflow';
export const u = defineUpdate<string, [number]>('u');
export async function w(): Promise<void> {
  setHandler(u, async (i) => { await sleep(4000); return `ok ${i}`; });
  await condition(() => false);
}
