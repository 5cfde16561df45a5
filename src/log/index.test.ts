import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index';

describe('createLogger', () => {
  it('redacts secrets wherever they sit in a logged object', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ destination });
    log.info(
      {
        app: { source: { clientSecret: 's3cret-1' }, target: { auth: { token: 's3cret-2' } } },
        headers: { authorization: 'Bearer s3cret-3' },
      },
      'app saved',
    );
    log.info(
      { secrets: { clientSecret: 's3cret-4', targetToken: 's3cret-5', targetPassword: 's3cret-6', targetClientSecret: 's3cret-7' } },
      'loaded',
    );
    log.info({ app: { target: { auth: { type: 'basic', password: 's3cret-8' } } }, token: { access_token: 's3cret-9' } }, 'target');
    const text = lines.join('');
    for (const secret of ['s3cret-1', 's3cret-2', 's3cret-3', 's3cret-4', 's3cret-5', 's3cret-6', 's3cret-7', 's3cret-8', 's3cret-9'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(text).toContain('app saved');
  });
});
