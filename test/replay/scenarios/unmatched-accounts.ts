/**
 * An unmatched-accounts scan on the real service: an app whose target holds an account made in
 * the app, scanned once through the API.
 */
import type { Teardown } from '../../../bench/teardown';
import { unmatchedScanId } from '../../../workflows/ids';
import { startHarness } from '../../support/harness';
import { addPeople } from '../../support/people';
import { testEnv } from '../../support/env';
import { RECORDING_PAYLOAD_KEYS, RECORDING_SECRETS } from '../history-files';
import { covering, historyOf, type Log, type Recorded } from './runs';

export async function recordUnmatchedAccounts(teardown: Teardown, log: Log): Promise<Recorded> {
  const h = await startHarness({ graph: { clientSecret: RECORDING_SECRETS.graphClientSecret }, payloadKeys: RECORDING_PAYLOAD_KEYS });
  teardown.add('unmatched accounts harness', () => h.close());
  addPeople(h.graph, 2, 300);
  const app = await h.createApp();
  await h.waitForCycle(app.id);
  const made = await fetch(`${app.scimBaseUrl}/Users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${testEnv.scimToken}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'local.admin@contoso.test',
      displayName: 'Local Admin',
    }),
  });
  if (made.status !== 201) throw new Error(`a local account: ${made.status} ${await made.text()}`);

  log('unmatched accounts: one scan');
  const started = await h.api('POST', `/api/v1/apps/${app.id}/unmatched-accounts/scan`);
  if (started.status !== 202) throw new Error(`scan: ${started.status} ${JSON.stringify(started.body)}`);
  const workflowId = unmatchedScanId(app.id);
  await h.service.client.workflow.getHandle(workflowId, started.body.runId).result();
  const file = 'scanUnmatchedAccounts-one-scan.json';
  return {
    [file]: covering(file, await historyOf(h.service.client, workflowId, started.body.runId), ['activity:scanForUnmatched', 'completed']),
  };
}
