/**
 * The configuration shape of attribute mappings (Entra's "attribute mappings" blade): which
 * source attribute or constant feeds which SCIM target path, when it applies and whether it
 * is used to match existing target accounts.
 */
import { z } from 'zod';
import { PathSyntaxError } from './errors';
import { callsFunction, ExpressionError, parseExpression } from './expression/index';
import { parsePath, pathKey } from './path';

/** A target path must parse, and a filtered one must name the sub-attribute it writes. */
const targetPath = z
  .string()
  .trim()
  .min(1, 'target must name a SCIM attribute path')
  .superRefine((text, ctx) => {
    if (text === '') return; // reported by min(1)
    try {
      const path = parsePath(text);
      if (path.filter !== undefined && path.subAttribute === undefined) {
        ctx.addIssue({ code: 'custom', message: `target "${text}" selects a whole element: name a sub-attribute such as ".value"` });
      }
    } catch (error) {
      if (!(error instanceof PathSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
    }
  });

const common = {
  /** SCIM target path: `userName`, `name.givenName`, `emails[type eq "work"].value`, or an extension URN path. */
  target: targetPath,
  /** `always` (default) or `create`: apply only when the account is created. */
  applyOn: z.enum(['always', 'create']).default('always'),
  /** Used to find an existing target account: 1 is tried first; absent means not a matching attribute. */
  matchingPrecedence: z.number().int().min(1).optional(),
  /** When the source value becomes empty, remove the target value instead of leaving it stale. */
  clearWhenEmpty: z.boolean().default(false),
};

export const directMappingSchema = z.strictObject({
  type: z.literal('direct'),
  /** Source attribute name, case-sensitive (Graph property name). */
  source: z.string().trim().min(1, 'source must name a source attribute'),
  /** Value used on create when the source attribute is null or absent. */
  defaultValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** Invert a boolean source value (Entra's `Not([IsSoftDeleted])`-style mappings). */
  invert: z.boolean().optional(),
  ...common,
});

export const constantMappingSchema = z.strictObject({
  type: z.literal('constant'),
  value: z.union([z.string(), z.number(), z.boolean()]),
  ...common,
});

/** An expression must parse; the issue names the position and the problem. */
const expressionText = z.string().superRefine((text, ctx) => {
  try {
    parseExpression(text);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    ctx.addIssue({ code: 'custom', message: `invalid expression ${error.message} (line ${error.line}, column ${error.column})` });
  }
});

/** Whether the (valid) expression is a SelectUniqueValue; false for one that does not parse. */
function selectsUniqueValue(text: string): boolean {
  try {
    return callsFunction(parseExpression(text), 'SelectUniqueValue');
  } catch {
    return false;
  }
}

export const expressionMappingSchema = z
  .strictObject({
    type: z.literal('expression'),
    /** An Entra attribute-mapping expression, e.g. `Join(" ", [givenName], [surname])`; at most 10,000 characters. */
    expression: expressionText,
    /** Value used on create when the expression gives null, nothing or "". */
    defaultValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
    ...common,
  })
  .superRefine((mapping, ctx) => {
    if (!selectsUniqueValue(mapping.expression)) return;
    if (mapping.matchingPrecedence !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['matchingPrecedence'], message: 'a SelectUniqueValue mapping cannot be a matching attribute' });
    }
    if (mapping.applyOn !== 'create') {
      ctx.addIssue({
        code: 'custom',
        path: ['applyOn'],
        message: 'a SelectUniqueValue mapping applies on create only: set applyOn to "create"',
      });
    }
  });

/**
 * Entra's "None" mapping type: the target attribute is listed but not managed. Nothing is
 * written, except the `defaultValue` when the account is created (Entra also fills an empty
 * target attribute with it later; {@link mapToTarget} reports that value in `defaults`).
 */
export const noneMappingSchema = z
  .strictObject({
    type: z.literal('none'),
    /** Written on create, and whenever the target holds no value. */
    defaultValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
    ...common,
  })
  .superRefine((mapping, ctx) => {
    if (mapping.matchingPrecedence !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['matchingPrecedence'], message: 'a "none" mapping has no value to match on' });
    }
    if (mapping.clearWhenEmpty) {
      ctx.addIssue({
        code: 'custom',
        path: ['clearWhenEmpty'],
        message: 'a "none" mapping leaves the target attribute alone, so it never clears it',
      });
    }
  });

export const attributeMappingSchema = z.discriminatedUnion('type', [
  directMappingSchema,
  constantMappingSchema,
  expressionMappingSchema,
  noneMappingSchema,
]);

export type AttributeMapping = z.output<typeof attributeMappingSchema>;
export type AttributeMappingInput = z.input<typeof attributeMappingSchema>;

/** Two mappings must not write the same target path (names compare case-insensitively). */
const mappingList = z.array(attributeMappingSchema).superRefine((mappings, ctx) => {
  const seen = new Map<string, number>();
  mappings.forEach((mapping, index) => {
    let key: string;
    try {
      key = pathKey(parsePath(mapping.target));
    } catch {
      return; // reported by the target's own check
    }
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [index, 'target'],
        message: `target "${mapping.target}" is already mapped by mapping ${first + 1}`,
      });
  });
});

export const objectMappingsSchema = z.strictObject({
  user: mappingList.min(1, 'at least one user mapping is needed').optional(),
  group: mappingList.min(1, 'at least one group mapping is needed').optional(),
});

export type ObjectMappings = z.output<typeof objectMappingsSchema>;
