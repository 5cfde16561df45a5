import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import {
  CONSERVATIVE_PROFILE,
  capabilityOverridesSchema,
  capabilityProfileSchema,
  mergeProfile,
  parseCapabilityOverrides,
  type CapabilityProfile,
} from './capabilities';

const discovered: CapabilityProfile = {
  ...CONSERVATIVE_PROFILE,
  patch: true,
  bulk: { supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 },
  filter: { supported: true, maxResults: 1000 },
  etag: true,
  pageSize: 1000,
  discoveredAt: '2026-01-02T03:04:05.000Z',
};

function overridesError(input: unknown): string {
  try {
    parseCapabilityOverrides(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error).toMatchObject({ kind: 'configuration', code: 'InvalidConfiguration' });
    return (error as Error).message;
  }
  throw new Error('expected the overrides to be refused');
}

describe('capabilityProfileSchema', () => {
  it('gives an empty profile the conservative defaults', () => {
    expect(capabilityProfileSchema.parse({})).toEqual({
      patch: false,
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 100 },
      etag: false,
      sort: false,
      changePassword: false,
      resourceTypes: { user: true, group: true, enterpriseUser: false },
      groupMembersOnGet: true,
      maxMembersPerPatch: 100,
      pageSize: 100,
      patchOpCasing: 'rfc',
      booleanEncoding: 'json',
      discoveredAt: null,
    });
  });

  it('fills the missing nested fields of a partial stored profile', () => {
    const profile = capabilityProfileSchema.parse({
      patch: true,
      bulk: { supported: true, maxOperations: 10, maxPayloadSize: 2048 },
      resourceTypes: { group: false },
    });
    expect(profile.bulk).toEqual({ supported: true, maxOperations: 10, maxPayloadSize: 2048 });
    expect(profile.resourceTypes).toEqual({ user: true, group: false, enterpriseUser: false });
    expect(profile.patch).toBe(true);
  });

  it.each([
    ['a string for a boolean', { etag: 'yes' }, 'etag'],
    ['a negative count', { bulk: { maxOperations: -1 } }, 'bulk.maxOperations'],
    ['a zero page size', { pageSize: 0 }, 'pageSize'],
    ['an unknown casing', { patchOpCasing: 'upper' }, 'patchOpCasing'],
    ['a date that is not ISO 8601', { discoveredAt: 'yesterday' }, 'discoveredAt'],
  ])('refuses %s', (_name, input, path) => {
    const result = capabilityProfileSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([path]);
  });

  it('refuses what is not an object', () => {
    expect(capabilityProfileSchema.safeParse('full').success).toBe(false);
  });
});

describe('capability overrides', () => {
  it('accepts any field, nested ones singly', () => {
    const overrides = {
      bulk: { maxOperations: 50 },
      groupMembersOnGet: false,
      patchOpCasing: 'capitalised' as const,
      booleanEncoding: 'string' as const,
    };
    expect(parseCapabilityOverrides(overrides)).toEqual(overrides);
  });

  it.each([
    ['an unknown field', { bulkSize: 10 }, /\(overrides\): Unrecognized key: "bulkSize"/],
    ['an unknown nested field', { filter: { maxResult: 10 } }, /filter: Unrecognized key: "maxResult"/],
    ['a wrong type', { bulk: { supported: 'true' } }, /bulk\.supported: Invalid input: expected boolean, received string/],
    ['a zero member limit', { maxMembersPerPatch: 0 }, /maxMembersPerPatch: Too small/],
    ['discoveredAt, which is not an override', { discoveredAt: null }, /Unrecognized key: "discoveredAt"/],
  ])('refuses %s, naming the field', (_name, input, message) => {
    expect(overridesError(input)).toMatch(message);
  });

  it('names every wrong field in one message', () => {
    const message = overridesError({ etag: 1, resourceTypes: { group: 'no' } });
    expect(message).toMatch(/^invalid capability overrides: /);
    expect(message).toMatch(/etag: /);
    expect(message).toMatch(/resourceTypes\.group: /);
  });

  it('is a strict deep partial', () => {
    expect(capabilityOverridesSchema.parse({})).toEqual({});
  });
});

describe('mergeProfile', () => {
  it('lays overrides over the discovered profile field by field', () => {
    const merged = mergeProfile(discovered, {
      bulk: { maxOperations: 50 },
      groupMembersOnGet: false,
      resourceTypes: { enterpriseUser: true },
    });
    expect(merged).toEqual({
      ...discovered,
      bulk: { supported: true, maxOperations: 50, maxPayloadSize: 1_048_576 },
      groupMembersOnGet: false,
      resourceTypes: { user: true, group: true, enterpriseUser: true },
    });
  });

  it('turns a discovered feature off', () => {
    const merged = mergeProfile(discovered, { patch: false, bulk: { supported: false } });
    expect(merged.patch).toBe(false);
    expect(merged.bulk.supported).toBe(false);
    expect(merged.discoveredAt).toBe(discovered.discoveredAt);
  });

  it('returns the discovered profile without overrides, and leaves both inputs alone', () => {
    const before = structuredClone(discovered);
    const overrides = { filter: { maxResults: 10 } };
    expect(mergeProfile(discovered)).toEqual(discovered);
    expect(mergeProfile(discovered, overrides).filter).toEqual({ supported: true, maxResults: 10 });
    expect(discovered).toEqual(before);
    expect(overrides).toEqual({ filter: { maxResults: 10 } });
  });

  it('refuses invalid overrides passed without parsing', () => {
    expect(() => mergeProfile(discovered, { pageSize: -5 })).toThrow(/pageSize: Too small/);
  });
});
