/**
 * A real SMTP server for the mail alerts: PyPI `aiosmtpd` as a child process, storing every
 * message it accepts in a maildir (its `Mailbox` handler) that the test reads back. It can be
 * stopped and started again on the same port, to show a delivery failing and then retried.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess, waitForPort } from '../../src/temporal/dev-server';
import { toolPath } from '../../src/tools/index';
import { portForLater } from './ports';

export interface ReceivedMail {
  headers: Record<string, string>;
  body: string;
}

export interface SmtpServer {
  /** `smtp://127.0.0.1:PORT`. */
  url: string;
  /** Every message received, oldest first. */
  messages(): Promise<ReceivedMail[]>;
  /** Stops the server (connections are refused until `start`). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same maildir. */
  start(): Promise<void>;
  close(): Promise<void>;
}

function parseMail(raw: string): ReceivedMail {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const headers: Record<string, string> = {};
  // Folded header lines go on with whitespace.
  for (const line of text
    .slice(0, split)
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: text.slice(split + 2) };
}

export async function startSmtpServer(): Promise<SmtpServer> {
  const port = await portForLater();
  const maildir = join(await mkdtemp(join(tmpdir(), 'scimflow-smtp-')), 'maildir');
  const bin = await toolPath('aiosmtpd');
  let child: ChildProcess | undefined;
  async function start(): Promise<void> {
    const started = spawn(bin, ['-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let exitReason: string | undefined;
    let stderrTail = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-2000)));
    started.on('exit', (code) => (exitReason = `aiosmtpd exited with code ${code}: ${stderrTail.trim()}`));
    child = started;
    await waitForPort('127.0.0.1', port, 30_000, () => exitReason);
  }
  async function stop(): Promise<void> {
    if (child) await stopProcess(child);
    child = undefined;
  }
  await start();
  return {
    url: `smtp://127.0.0.1:${port}`,
    async messages() {
      const dir = join(maildir, 'new');
      const files = await readdir(dir).catch(() => [] as string[]);
      // Maildir names begin with the delivery time in seconds; the name's order is the order received within one.
      const mails = await Promise.all(files.sort().map(async (file) => parseMail(await readFile(join(dir, file), 'utf8'))));
      return mails.sort((a, b) => Date.parse(a.headers['date'] ?? '') - Date.parse(b.headers['date'] ?? ''));
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(join(maildir, '..'), { recursive: true, force: true });
    },
  };
}
