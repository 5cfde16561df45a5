/**
 * Structured logs (pino) with secrets redacted by path: whatever object reaches a log line,
 * client secrets, passwords, bearer and OAuth tokens and Authorization headers come out as "[redacted]".
 */
import { pino, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'clientSecret',
  '*.clientSecret',
  '*.*.clientSecret',
  '*.*.*.clientSecret',
  'password',
  '*.password',
  '*.*.password',
  '*.*.*.password',
  'token',
  '*.token',
  '*.*.token',
  '*.*.*.token',
  'targetToken',
  '*.targetToken',
  'targetClientSecret',
  '*.targetClientSecret',
  'targetPassword',
  '*.targetPassword',
  'access_token',
  '*.access_token',
  'secrets',
  '*.secrets',
  'authorization',
  '*.authorization',
  '*.*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'adminToken',
  '*.adminToken',
];

export type { Logger };

export function createLogger(options: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'scimflow',
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination as pino.DestinationStream | undefined,
  );
}
