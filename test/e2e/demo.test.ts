/**
 * `npm run demo` (its script, src/demo.ts) as a newcomer runs it, in a process group of its own as a terminal would: the
 * banner, the initial cycle provisioning every sandbox person into scim2-server within a minute,
 * a hire through `/sandbox/people` provisioned by the next (scheduled) cycle, and Ctrl-C ending
 * it with exit 0 and nothing left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { projectRoot } from '../../src/tools/index';
import { listTarget } from '../support/harness';
import { portForLater } from '../support/ports';
import { isRunning, recordedDevServerPid, until } from '../support/service-child';

let demo: ChildProcess | undefined;
let demoDir: string;
const output: string[] = [];

afterAll(async () => {
  if (demo?.pid !== undefined && demo.exitCode === null && demo.signalCode === null) {
    try {
      process.kill(-demo.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  if (demoDir) await rm(demoDir, { recursive: true, force: true });
});

/** A request to the sandbox over HTTPS, trusting the CA the demo wrote into its dir. */
function sandboxRequest(url: string, method: string, body?: unknown): Promise<{ status: number; body: any }> {
  const ca = readFileSync(join(demoDir, 'tls', 'ca.pem'));
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The value of a banner line, e.g. `  API          http://…/api/v1`. */
function bannerValue(name: string): string | undefined {
  return output.map((line) => new RegExp(`^ {2}${name} {2,}(\\S+)`).exec(line)?.[1]).find(Boolean);
}

describe('npm run demo', () => {
  it('provisions the sandbox company, then a hire, and stops cleanly on Ctrl-C', async () => {
    demoDir = await mkdtemp(join(tmpdir(), 'scimflow-demo-'));
    onTestFailed(() => {
      console.log(`--- demo\n${output.slice(-60).join('\n')}`);
      try {
        console.log(`--- service log\n${readFileSync(join(demoDir, 'service.log'), 'utf8').split('\n').slice(-40).join('\n')}`);
      } catch {
        // no log yet
      }
    });
    const scimToken = randomBytes(16).toString('hex');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SCIMFLOW_DEMO_DIR: demoDir,
      PORT: String(await portForLater()),
      TEMPORAL_PORT: String(await portForLater()),
      TEMPORAL_UI_PORT: String(await portForLater()),
      SCIMFLOW_SANDBOX_SCIM_PORT: String(await portForLater()),
      SCIMFLOW_SANDBOX_SCIM_TOKEN: scimToken,
    };
    // What the demo must ignore: a real deployment's settings in the user's environment.
    env.TEMPORAL_ADDRESS = '127.0.0.1:1';
    env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/nothing';
    // The script `npm run demo` runs (npm itself, on a Ctrl-C, ends by the signal it got, whatever its script exits with).
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts'], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    demo = child;
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        output.push(...lines);
      });
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );

    await until('the banner', async () => (output.includes('Ctrl-C stops everything.') ? true : undefined), 120_000);
    const bannerAt = Date.now();
    expect(output).toContain('scimflow demo is running, against a SANDBOX directory (not Microsoft Entra ID)');
    const api = bannerValue('API')!;
    const token = bannerValue('Admin token')!;
    const sandboxUrl = bannerValue('Sandbox')!;
    const scimBaseUrl = bannerValue('SCIM target')!;
    expect(api).toBe(`http://127.0.0.1:${env.PORT}/api/v1`);
    expect(bannerValue('API docs')).toBe(`${api}/docs`);
    expect(bannerValue('Temporal UI')).toBe(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    expect(sandboxUrl).toMatch(/^https:\/\/localhost:\d+$/);
    expect(scimBaseUrl).toBe(`http://127.0.0.1:${env.SCIMFLOW_SANDBOX_SCIM_PORT}/northwind/v2`);
    for (const command of [
      '/apps/sandbox/status',
      '/apps/sandbox/provisioning-logs',
      '/apps/sandbox/provision-on-demand',
      '/lifecycle/events',
      '/sandbox/people',
    ])
      expect(output.some((line) => line.includes('curl') && line.includes(command))).toBe(true);

    const record = JSON.parse(await readFile(join(demoDir, 'demo.json'), 'utf8')) as { scimPid: number; servicePid: number };
    const devServerPid = await recordedDevServerPid(demoDir);
    expect(devServerPid).toBeTypeOf('number');
    const call = async (path: string) => {
      const response = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: (await response.json()) as any };
    };

    // The initial cycle, within a minute of the banner, provisions every sandbox person.
    const initial = await until(
      'the initial cycle',
      async () => {
        const status = await call('/apps/sandbox/status');
        return status.body.lastCycle?.kind === 'initial' ? status.body.lastCycle : undefined;
      },
      60_000,
      500,
    );
    expect(Date.now() - bannerAt).toBeLessThan(60_000);
    expect(initial).toMatchObject({ state: 'succeeded', counts: { failed: 0 } });
    const people = await sandboxRequest(`${sandboxUrl}/sandbox/people`, 'GET');
    expect(people.status).toBe(200);
    expect(people.body.people.length).toBeGreaterThanOrEqual(25);
    const userNames = (await listTarget(scimBaseUrl, 'Users', scimToken)).map((user) => user.userName).sort();
    expect(userNames).toEqual(people.body.people.map((person: any) => person.userPrincipalName).sort());
    expect((await listTarget(scimBaseUrl, 'Groups', scimToken)).length).toBeGreaterThan(0);
    await until(
      'the demo says the initial cycle',
      async () => (output.some((l) => /^demo: initial cycle \S+ succeeded/.test(l)) ? true : undefined),
      10_000,
    );

    // A hire in the sandbox directory: the next scheduled cycle (every minute) provisions them.
    const bad = await sandboxRequest(`${sandboxUrl}/sandbox/people`, 'POST', { department: 'Engineering' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('displayName is required');
    const hire = await sandboxRequest(`${sandboxUrl}/sandbox/people`, 'POST', { displayName: 'Ada Lovelace', department: 'Engineering' });
    expect(hire.status).toBe(201);
    expect(hire.body).toMatchObject({ userPrincipalName: 'ada.lovelace@northwind.example', department: 'Engineering' });
    const next = await until(
      'the next cycle',
      async () => {
        const status = await call('/apps/sandbox/status');
        const cycle = status.body.lastCycle;
        return cycle && cycle.id !== initial.id && cycle.kind === 'incremental' && cycle.counts.created >= 1 ? cycle : undefined;
      },
      100_000,
      1000,
    );
    expect(next.state).toBe('succeeded');
    const ada = (await listTarget(scimBaseUrl, 'Users', scimToken)).find((user) => user.userName === 'ada.lovelace@northwind.example');
    expect(ada).toMatchObject({ displayName: 'Ada Lovelace', active: true });

    // Ctrl-C: the terminal signals the whole group; everything ends and the demo exits 0.
    process.kill(-child.pid!, 'SIGINT');
    const { code } = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the demo did not stop within 60 s')), 60_000)),
    ]);
    expect(code).toBe(0);
    expect(output).toContain('demo: stopped');
    await until(
      'every child gone',
      async () => ([devServerPid!, record.scimPid, record.servicePid].every((pid) => !isRunning(pid)) ? true : undefined),
      5000,
    );
  }, 300_000);
});
