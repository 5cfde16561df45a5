/**
 * `npm run demo`: scimflow provisioning in the first minute, with no Entra tenant. It starts a
 * sandbox directory (src/sandbox: Graph and the identity platform over HTTPS on loopback, seeded
 * with a made-up company) and a real SCIM target (scim2-server from the project's tools), then
 * the service itself as `npm start` runs it (`src/main.ts`: local Temporal dev server, embedded
 * PGlite) in a data dir of its own, with one app wired to both through the apps file. The app's
 * initial cycle starts at once; the demo prints where everything is and each cycle as it ends.
 *
 * Every start is a fresh one: the sandbox and the target live in memory, so the data dir
 * (`SCIMFLOW_DEMO_DIR`, default `./.scimflow-demo`) is emptied first. Ctrl-C stops the service
 * in its own order (worker, API, database, dev server), then the target and the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  COMPANY_DOMAIN,
  demoBanner,
  seedCompany,
  startSandboxGraph,
  startScimTarget,
  writeSandboxCa,
  type SandboxGraph,
  type ScimTarget,
} from './sandbox/index';
import { readDemoSettings, SettingsError, type DemoSettings } from './service/settings';
import { freePort } from './temporal/dev-server';
import { projectRoot } from './tools/index';

const APP_ID = 'sandbox';
const SCIM_TENANT = 'northwind';
const INTERVAL_MINUTES = 1;
/** The record that marks a data dir as the demo's, with what runs. */
const RECORD = 'demo.json';
/** What the service may take to stop (its SCIMFLOW_SHUTDOWN_SECONDS), and a margin. */
const SERVICE_STOP_MS = (Number(process.env.SCIMFLOW_SHUTDOWN_SECONDS) || 30) * 1000 + 10_000;

const USAGE = `usage: npm run demo

Starts scimflow against a sandbox directory and scim2-server, both on loopback. Settings:
  SCIMFLOW_DEMO_DIR           data dir, emptied at every start (default ./.scimflow-demo)
  SCIMFLOW_SANDBOX_PORT       port of the sandbox Graph (default: a free one)
  SCIMFLOW_SANDBOX_SCIM_PORT  port of scim2-server (default: a free one)
  SCIMFLOW_SANDBOX_SCIM_TOKEN the bearer token scim2-server accepts (default: a random one)
  PORT, TEMPORAL_PORT, TEMPORAL_UI_PORT and the service's other settings apply as for npm start.
`;

let settings: DemoSettings;
try {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (args.length > 0) {
    process.stderr.write(`scimflow demo: unknown argument ${JSON.stringify(args[0])}\n${USAGE}`);
    process.exit(2);
  }
  settings = readDemoSettings();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`scimflow demo: ${error.message}\n`);
  process.exit(2);
}
const dir = settings.demoDir;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

let sandbox: SandboxGraph | undefined;
let scim: ScimTarget | undefined;
let service: ChildProcess | undefined;
let serviceExit: Promise<number | null> | undefined;
let watcher: NodeJS.Timeout | undefined;
let stopping = false;

// Whatever ends this process, scim2-server (in a process group of its own) ends with it.
process.on('exit', () => {
  if (scim?.process.pid !== undefined && scim.process.exitCode === null && scim.process.signalCode === null) {
    try {
      process.kill(-scim.process.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

/**
 * Stops everything: the service first, in its own order and within its own time, while the
 * target and the sandbox it talks to are still there; then the target, then the sandbox.
 */
async function stop(signal: NodeJS.Signals, code = 0): Promise<void> {
  // npm and tsx pass a terminal's Ctrl-C on as well: one stop is under way already.
  if (stopping) return;
  stopping = true;
  clearInterval(watcher);
  const started = sandbox !== undefined;
  if (started) say('demo: stopping the service, then the SCIM target and the sandbox');
  let exitCode = code;
  if (service && serviceExit && service.exitCode === null && service.signalCode === null) {
    // A terminal's Ctrl-C reached the service already; a signal sent to the demo alone did not.
    service.kill(signal);
    const timer = setTimeout(() => service?.kill('SIGKILL'), SERVICE_STOP_MS);
    const serviceCode = await serviceExit;
    clearTimeout(timer);
    if (serviceCode !== 0) exitCode = 1;
  }
  await scim?.stop();
  await sandbox?.close();
  if (started) say('demo: stopped');
  process.exit(exitCode);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  await prepareDir();
} catch (error) {
  // Nothing is started yet: one line, and exit status 2 (a usage error), as a bad setting.
  process.stderr.write(`scimflow demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

try {
  const tlsDir = join(dir, 'tls');
  await writeSandboxCa(tlsDir);
  sandbox = await startSandboxGraph({
    tlsDir,
    port: settings.SCIMFLOW_SANDBOX_PORT,
    domain: COMPANY_DOMAIN,
    tenantId: randomUUID(),
    clientId: randomUUID(),
  });
  const company = seedCompany(sandbox.directory);

  const scimToken = settings.SCIMFLOW_SANDBOX_SCIM_TOKEN ?? randomBytes(24).toString('base64url');
  try {
    scim = await startScimTarget({
      port: settings.SCIMFLOW_SANDBOX_SCIM_PORT ?? (await freePort()),
      token: scimToken,
      tenants: [SCIM_TENANT],
      detached: true,
    });
  } catch (error) {
    throw new Error(
      `scim2-server, the demo's SCIM target, is not available: ${error instanceof Error ? error.message : String(error)} ` +
        '(npm run tools installs it from PyPI into .tools/; it needs Python 3)',
    );
  }
  const scimBaseUrl = `${scim.url}/${SCIM_TENANT}/v2`;
  const appsFile = join(dir, 'apps.json');
  await writeFile(appsFile, JSON.stringify(appsDocument(sandbox, scimBaseUrl), null, 2));

  const logFile = join(dir, 'service.log');
  const { apiUrl, adminToken, temporalUiUrl } = await startServiceProcess({
    appsFile,
    logFile,
    caFile: await trustedCaFile(tlsDir),
    secrets: { SCIMFLOW_SANDBOX_GRAPH_SECRET: sandbox.clientSecret, SCIMFLOW_SANDBOX_SCIM_TOKEN: scimToken },
  });
  await writeRecord({ sandboxUrl: sandbox.url, scimUrl: scimBaseUrl, scimPid: scim.process.pid, servicePid: service?.pid, apiUrl });
  const [ceo] = company.people;
  const leaver = company.people.at(-1)!;
  for (const line of demoBanner({
    apiUrl,
    adminToken,
    temporalUiUrl,
    sandboxUrl: sandbox.url,
    caFile: join(tlsDir, 'ca.pem'),
    scimBaseUrl,
    appId: APP_ID,
    intervalMinutes: INTERVAL_MINUTES,
    people: company.people.length,
    groups: company.groups.length,
    onDemand: { id: ceo!.id, displayName: ceo!.displayName },
    leaver: { employeeId: leaver.employeeId, displayName: leaver.displayName },
    logFile,
  }))
    say(line);
  watchCycles(apiUrl, adminToken);
} catch (error) {
  process.stderr.write(`scimflow demo: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop('SIGTERM', 1);
}

/** Empties the data dir, refusing one that holds something else or a demo that still runs. */
async function prepareDir(): Promise<void> {
  const record = join(dir, RECORD);
  if (existsSync(record)) {
    const { pid } = JSON.parse(readFileSync(record, 'utf8')) as { pid?: number };
    if (typeof pid === 'number' && pid !== process.pid && isAlive(pid)) {
      throw new Error(`a demo runs on ${dir} already (process ${pid}); stop it, or set SCIMFLOW_DEMO_DIR to another dir`);
    }
  } else if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new Error(`${dir} is not a demo's data dir (it has no ${RECORD}) and is not empty; set SCIMFLOW_DEMO_DIR to another dir`);
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeRecord({});
}

async function writeRecord(fields: Record<string, unknown>): Promise<void> {
  await writeFile(join(dir, RECORD), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), ...fields }, null, 2));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The app, as the apps file declares it: the sandbox's users and groups into the target; secrets by variable. */
function appsDocument(graph: SandboxGraph, scimBaseUrl: string) {
  return {
    apps: {
      [APP_ID]: {
        displayName: 'Northwind sandbox to scim2-server',
        source: {
          type: 'graph',
          tenantId: graph.tenantId,
          clientId: graph.clientId,
          clientSecret: { env: 'SCIMFLOW_SANDBOX_GRAPH_SECRET' },
          authorityHost: graph.authorityHost,
          graphBaseUrl: graph.graphBaseUrl,
          scope: 'all',
        },
        target: { type: 'scim', baseUrl: scimBaseUrl, auth: { type: 'bearer', token: { env: 'SCIMFLOW_SANDBOX_SCIM_TOKEN' } } },
        schedule: { intervalMinutes: INTERVAL_MINUTES },
        groups: { enabled: true },
      },
    },
  };
}

/** The CA file the service trusts: the sandbox's, with the one NODE_EXTRA_CA_CERTS named already. */
async function trustedCaFile(tlsDir: string): Promise<string> {
  const own = join(tlsDir, 'ca.pem');
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  if (!existing || !existsSync(existing)) return own;
  const bundle = join(tlsDir, 'trusted.pem');
  await writeFile(bundle, `${readFileSync(existing, 'utf8').trim()}\n${readFileSync(own, 'utf8')}`);
  return bundle;
}

/**
 * Runs `src/main.ts` as `npm start` does, in this process group (a terminal's Ctrl-C reaches it
 * as it would `npm start`), and resolves with what its banner says. Its output goes to the log
 * file; its warnings and errors are shown too.
 */
function startServiceProcess(options: {
  appsFile: string;
  logFile: string;
  caFile: string;
  secrets: Record<string, string>;
}): Promise<{ apiUrl: string; adminToken: string; temporalUiUrl: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The demo's service keeps to itself: its own dev server, database, keys and token, in the demo's dir.
  for (const name of [
    'TEMPORAL_ADDRESS',
    'DATABASE_URL',
    'SCIMFLOW_ROLE',
    'SCIMFLOW_SECRET_KEY',
    'SCIMFLOW_PAYLOAD_KEYS',
    'SCIMFLOW_ADMIN_TOKEN',
  ])
    delete env[name];
  Object.assign(env, options.secrets, {
    SCIMFLOW_DATA_DIR: dir,
    SCIMFLOW_APPS_FILE: options.appsFile,
    NODE_EXTRA_CA_CERTS: options.caFile,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'src', 'main.ts')], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service = child;
  serviceExit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const banner: Record<string, string> = {};
  return new Promise((resolve, reject) => {
    let ready = false;
    const read = (stream: NodeJS.ReadableStream, isStderr: boolean) => {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        log.write(chunk);
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          showIfWorthIt(line, isStderr);
          const [, name, value] = /^ {2}(API|Temporal UI|Admin token) {2,}(\S+)/.exec(line) ?? [];
          if (name && value) banner[name] = value;
        }
        if (!ready && banner.API && banner['Admin token'] && banner['Temporal UI']) {
          ready = true;
          resolve({
            apiUrl: banner.API.replace(/\/api\/v1$/, ''),
            adminToken: banner['Admin token'],
            temporalUiUrl: banner['Temporal UI'],
          });
        }
      });
    };
    read(child.stdout, false);
    read(child.stderr, true);
    void serviceExit!.then((code) => {
      if (!ready) reject(new Error(`the service exited before it was ready (code ${code}); its log is in ${options.logFile}`));
      else if (!stopping) {
        process.stderr.write(`scimflow demo: the service exited (code ${code}); its log is in ${options.logFile}\n`);
        void stop('SIGTERM', 1);
      }
    });
  });
}

/** A service line the user should see: a warning or worse, or a line that is not a log line (a start-up refusal). */
function showIfWorthIt(line: string, isStderr: boolean): void {
  if (!line.trim()) return;
  if (!line.startsWith('{')) {
    if (isStderr) process.stderr.write(`service: ${line}\n`);
    return;
  }
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    if ((entry.level ?? 0) >= 40)
      process.stderr.write(`service: ${entry.msg ?? line}${entry.err?.message ? `: ${entry.err.message}` : ''}\n`);
  } catch {
    // not a log line after all: it is in the log file
  }
}

/** Says each cycle of the app as it ends, with its counts. */
function watchCycles(apiUrl: string, adminToken: string): void {
  let last: string | undefined;
  let asking = false;
  watcher = setInterval(() => {
    if (asking || stopping) return;
    asking = true;
    void fetch(`${apiUrl}/api/v1/apps/${APP_ID}/status`, {
      headers: { authorization: `Bearer ${adminToken}` },
      signal: AbortSignal.timeout(5000),
    })
      .then(async (response) => {
        if (!response.ok) return;
        const status = (await response.json()) as { lastCycle?: CycleSummary | null };
        const cycle = status.lastCycle;
        if (!cycle || cycle.id === last) return;
        last = cycle.id;
        const seconds = Math.round((Date.parse(cycle.finishedAt) - Date.parse(cycle.startedAt)) / 1000);
        const counts = COUNTS.map((name) => `${cycle.counts[name] ?? 0} ${name}`).join(', ');
        say(`demo: ${cycle.kind} cycle ${cycle.id} ${cycle.state} in ${seconds} s: ${counts}`);
      })
      .catch(() => {
        // the service is busy or stopping: asked again next time
      })
      .finally(() => {
        asking = false;
      });
  }, 2000);
}

/** A cycle's counts, in the order the demo says them. */
const COUNTS = ['created', 'updated', 'disabled', 'deleted', 'skipped', 'failed'] as const;

interface CycleSummary {
  id: string;
  kind: string;
  state: string;
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
}
