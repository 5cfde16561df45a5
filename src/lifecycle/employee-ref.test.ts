import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { employeeRefs } from './employee-ref';

describe('employeeRefs', () => {
  const key = randomBytes(32);

  it('is stable for one key, differs between ids and between keys, and does not spell the id', () => {
    const ref = employeeRefs(key);
    expect(ref('4711')).toBe(employeeRefs(Buffer.from(key))('4711'));
    expect(ref('4711')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ref('4711')).not.toContain('4711');
    expect(ref('4712')).not.toBe(ref('4711'));
    expect(employeeRefs(randomBytes(32))('4711')).not.toBe(ref('4711'));
  });
});
