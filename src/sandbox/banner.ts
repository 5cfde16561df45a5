/** What `npm run demo` prints once everything runs: where things are, and what to try. */
import { relative } from 'node:path';

export interface DemoBannerParts {
  apiUrl: string;
  adminToken: string;
  temporalUiUrl: string;
  sandboxUrl: string;
  /** The CA file that curl needs to trust the sandbox. */
  caFile: string;
  scimBaseUrl: string;
  appId: string;
  intervalMinutes: number;
  people: number;
  groups: number;
  /** Someone to provision on demand. */
  onDemand: { id: string; displayName: string };
  /** Someone to send a leaver event for, by employee id. */
  leaver: { employeeId: string; displayName: string };
  logFile: string;
}

/** The banner's lines; paths are shown relative to the working directory when inside it. */
export function demoBanner(parts: DemoBannerParts, cwd = process.cwd()): string[] {
  const shown = (path: string) => (relative(cwd, path).startsWith('..') ? path : relative(cwd, path));
  const auth = '-H "Authorization: Bearer $TOKEN"';
  const json = "-H 'Content-Type: application/json'";
  return [
    '',
    'scimflow demo is running, against a SANDBOX directory (not Microsoft Entra ID)',
    `  API          ${parts.apiUrl}/api/v1`,
    `  API docs     ${parts.apiUrl}/api/v1/docs`,
    `  Temporal UI  ${parts.temporalUiUrl}`,
    `  Admin token  ${parts.adminToken}`,
    `  Sandbox      ${parts.sandboxUrl}  Graph and identity platform of a made-up company: ${parts.people} people, ${parts.groups} groups`,
    `  SCIM target  ${parts.scimBaseUrl}  scim2-server, in memory`,
    `  App          ${parts.appId}: all sandbox users and groups into the target, a cycle every ${parts.intervalMinutes} minute${parts.intervalMinutes === 1 ? '' : 's'}; its initial cycle runs now`,
    `  Service log  ${shown(parts.logFile)}`,
    '',
    'Try it:',
    `  export API=${parts.apiUrl}/api/v1 TOKEN=${parts.adminToken}`,
    `  curl -s $API/apps/${parts.appId}/status ${auth}`,
    `  curl -s "$API/apps/${parts.appId}/provisioning-logs?limit=5" ${auth}`,
    `  curl -s -X POST $API/apps/${parts.appId}/provision-on-demand ${auth} ${json} -d '{"objectId":"${parts.onDemand.id}"}'   # ${parts.onDemand.displayName}`,
    `  curl -s -X POST $API/lifecycle/events ${auth} ${json} -d "{\\"events\\":[{\\"eventId\\":\\"demo-leaver-$(date +%s)\\",\\"type\\":\\"leaver\\",\\"person\\":{\\"employeeId\\":\\"${parts.leaver.employeeId}\\"},\\"effectiveAt\\":\\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\"}]}"   # ${parts.leaver.displayName} leaves now`,
    '',
    'Hire someone in the sandbox directory; the next cycle provisions them (or POST $API/apps/' + parts.appId + '/run for one now):',
    `  curl -s --cacert ${shown(parts.caFile)} -X POST ${parts.sandboxUrl}/sandbox/people ${json} -d '{"displayName":"Ada Lovelace","department":"Engineering"}'`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
}
