/**
 * The service's settings, read from the environment and checked: a bad value stops start-up
 * with a message naming the variable and the problem.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const settingsSchema = z.object({
  PORT: port(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  SCIMFLOW_DATA_DIR: z.string().min(1).default('./.scimflow'),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('scimflow'),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  SCIMFLOW_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SCIMFLOW_ALERT_WEBHOOK_URL: z.url({ message: 'must be an absolute http(s) URL' }).optional(),
  SCIMFLOW_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Settings = z.output<typeof settingsSchema> & { dataDir: string };

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = settingsSchema.safeParse(blankless);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`bad settings: ${problems}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.SCIMFLOW_DATA_DIR) };
}
