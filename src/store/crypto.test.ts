import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import { projectRoot } from '../tools/index';
import { createSecretCipher, loadOrCreateSecretKey, parseSecretKey, SECRET_KEY_ENV } from './crypto';

const key = randomBytes(32);

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseSecretKey', () => {
  it.each([
    ['hex', key.toString('hex')],
    ['upper-case hex with a newline', `${key.toString('hex').toUpperCase()}\n`],
    ['base64', key.toString('base64')],
    ['base64url', key.toString('base64url')],
  ])('reads %s', (_, text) => {
    expect(parseSecretKey(text).equals(key)).toBe(true);
  });

  it.each([
    ['too short', 'abcd'],
    ['31 bytes of base64', randomBytes(31).toString('base64')],
    ['not a key', 'correct horse battery staple'],
  ])('refuses %s without echoing it', (_, text) => {
    const error = caught(() => parseSecretKey(text));
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error).toMatchObject({ kind: 'configuration' });
    expect((error as Error).message).not.toContain(text);
  });
});

describe('createSecretCipher', () => {
  const cipher = createSecretCipher(key);

  it('round-trips, with a fresh IV each time', () => {
    const a = cipher.encrypt('s3cr3t-value', 'app-1');
    const b = cipher.encrypt('s3cr3t-value', 'app-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cr3t');
    expect(cipher.decrypt(a, 'app-1')).toBe('s3cr3t-value');
    expect(cipher.decrypt(b, 'app-1')).toBe('s3cr3t-value');
    expect(cipher.decrypt(cipher.encrypt('', 'app-1'), 'app-1')).toBe('');
  });

  it('refuses another key, another context, altered bytes and unknown formats', () => {
    const stored = cipher.encrypt('s3cr3t-value', 'app-1');
    const bytes = Buffer.from(stored.slice(3), 'base64');
    const altered = (index: number) => {
      const copy = Buffer.from(bytes);
      copy[index]! ^= 0x80;
      return `v1.${copy.toString('base64')}`;
    };
    const attempts = [
      () => createSecretCipher(randomBytes(32)).decrypt(stored, 'app-1'),
      () => cipher.decrypt(stored, 'app-2'),
      () => cipher.decrypt(altered(0), 'app-1'), // IV
      () => cipher.decrypt(altered(12), 'app-1'), // tag
      () => cipher.decrypt(altered(bytes.length - 1), 'app-1'), // ciphertext
      () => cipher.decrypt(`v2.${bytes.toString('base64')}`, 'app-1'),
      () => cipher.decrypt('s3cr3t-value', 'app-1'),
    ];
    for (const attempt of attempts) {
      const error = caught(attempt);
      expect(error).toBeInstanceOf(ProvisioningError);
      expect(error).toMatchObject({ kind: 'configuration', code: 'InvalidConfiguration' });
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });

  it('wants a 32-byte key', () => {
    expect(caught(() => createSecretCipher(randomBytes(16)))).toMatchObject({ kind: 'configuration' });
  });
});

describe('loadOrCreateSecretKey', () => {
  const dir = join(projectRoot, '.test-tmp', `crypto-${randomUUID()}`);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates a private key file once and reads it afterwards', async () => {
    const dataDir = join(dir, 'created');
    const [first, concurrent] = await Promise.all([loadOrCreateSecretKey(dataDir, {}), loadOrCreateSecretKey(dataDir, {})]);
    expect(first).toHaveLength(32);
    expect(concurrent.equals(first)).toBe(true);
    expect((await stat(join(dataDir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect(parseSecretKey(await readFile(join(dataDir, 'secret.key'), 'utf8')).equals(first)).toBe(true);
    expect((await loadOrCreateSecretKey(dataDir, {})).equals(first)).toBe(true);
  });

  it('prefers the environment variable and writes no file then', async () => {
    const dataDir = join(dir, 'from-env');
    const loaded = await loadOrCreateSecretKey(dataDir, { [SECRET_KEY_ENV]: key.toString('hex') });
    expect(loaded.equals(key)).toBe(true);
    await expect(stat(join(dataDir, 'secret.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
