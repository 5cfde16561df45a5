import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_MAPPINGS } from './defaults';
import { attributeMappingSchema, objectMappingsSchema } from './schema';

describe('attributeMappingSchema target', () => {
  it.each([
    ['userName', undefined],
    ['  emails[type eq "work"].value ', undefined],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', undefined],
    ['', 'target must name a SCIM attribute path'],
    [
      'emails[type eq work].value',
      'invalid SCIM path "emails[type eq work].value": expected a quoted string, true, false or a number, found "work" at position 16',
    ],
    ['emails[type eq "work"]', 'target "emails[type eq "work"]" selects a whole element: name a sub-attribute such as ".value"'],
  ])('%j: %s', (target, problem) => {
    const result = attributeMappingSchema.safeParse({ type: 'direct', source: 'mail', target });
    expect(result.success ? undefined : result.error.issues.map((issue) => issue.message)).toEqual(
      problem === undefined ? undefined : [problem],
    );
  });
});

describe('objectMappingsSchema', () => {
  it('accepts the default user mappings', () => {
    expect(objectMappingsSchema.parse({ user: [...DEFAULT_USER_MAPPINGS] }).user).toEqual(DEFAULT_USER_MAPPINGS);
  });

  it('rejects two mappings to the same target, whatever the case', () => {
    const result = objectMappingsSchema.safeParse({
      user: [
        { type: 'direct', source: 'mail', target: 'emails[type eq "work"].value' },
        { type: 'direct', source: 'userPrincipalName', target: 'userName' },
        { type: 'direct', source: 'otherMails', target: 'Emails[Type eq "Work"].Value' },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['user', 2, 'target'],
        message: 'target "Emails[Type eq "Work"].Value" is already mapped by mapping 1',
      }),
    ]);
  });
});
