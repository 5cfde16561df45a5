/** The admin token: SCIMFLOW_ADMIN_TOKEN, or one generated into the data dir at first start. */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function loadOrCreateAdminToken(
  dataDir: string,
  fromEnv: string | undefined,
): Promise<{ token: string; origin: 'env' | 'generated' | 'file'; file?: string }> {
  if (fromEnv) return { token: fromEnv, origin: 'env' };
  const file = join(dataDir, 'admin-token');
  try {
    const token = (await readFile(file, 'utf8')).trim();
    if (token) return { token, origin: 'file', file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(24).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, origin: 'generated', file };
}
