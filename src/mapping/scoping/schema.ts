/**
 * The configuration shape of scoping filters (Entra's "Source object scope"): groups of
 * clauses, clauses in a group ANDed, groups ORed. Entra's own synchronization-schema JSON for
 * a scope (`objectMapping.scope`) is accepted too and converted, so that an admin can paste
 * an existing Entra filter unchanged.
 */
import { z } from 'zod';
import { looksLikeDate, parseIsoDate, toInteger } from './operands';
import { isUnary, normaliseOperator, OPERATOR_LABELS, SCOPING_OPERATORS, type ScopingOperator } from './operators';
import { compileDotNetRegex } from '../regex';

export const SCOPING_LIMITS = {
  groups: 50,
  clausesPerGroup: 50,
  valueLength: 1_000,
  attributeLength: 256,
  groupNameLength: 256,
} as const;

/** One condition on one source attribute. `value` is absent for IS TRUE, IS FALSE, IS NULL and IS NOT NULL. */
export interface ScopingClause {
  /** Source attribute name, case-sensitive (Graph property name). */
  attribute: string;
  operator: ScopingOperator;
  value?: string;
}

export interface ScopingGroup {
  /** Entra's "Scoping Filter Title". */
  name?: string;
  clauses: ScopingClause[];
}

/** No groups means every object is in scope. */
export interface ScopingFilter {
  groups: ScopingGroup[];
}

const VALID_OPERATORS = `${SCOPING_OPERATORS.join(', ')} (any letter case; spaces or underscores between words, so the portal's "NOT EQUALS" or "Greater_Than" work too)`;

/**
 * What is wrong with one clause's operator and value, by field; the canonical operator when
 * the name is known. Shared by our shape and Entra's so both report the same problems.
 */
function clauseProblems(
  operatorName: string,
  value: string | undefined,
): { operator?: ScopingOperator; problems: Array<{ field: 'operator' | 'value'; message: string }> } {
  const operator = normaliseOperator(operatorName);
  if (operator === undefined) {
    return { problems: [{ field: 'operator', message: `unknown operator "${operatorName}": use one of ${VALID_OPERATORS}` }] };
  }
  const label = OPERATOR_LABELS[operator];
  const problem = (message: string) => ({ operator, problems: [{ field: 'value' as const, message }] });
  if (isUnary(operator)) {
    return value === undefined || value === '' ? { operator, problems: [] } : problem(`${label} takes no value (got "${value}")`);
  }
  if (value === undefined || value === '') return problem(`${label} needs a value`);
  if (value.length > SCOPING_LIMITS.valueLength)
    return problem(`value is ${value.length} characters long; at most ${SCOPING_LIMITS.valueLength} are allowed`);
  switch (operator) {
    case 'REGEX_MATCH':
    case 'NOT_REGEX_MATCH': {
      const compiled = compileDotNetRegex(value);
      return compiled.ok ? { operator, problems: [] } : problem(`regex "${value}" does not compile: ${compiled.problem}`);
    }
    case '&':
    case '!&':
      return toInteger(value) !== undefined
        ? { operator, problems: [] }
        : problem(`${label} needs an integer value (a bit mask such as 2), got "${value}"`);
    case 'GREATER_THAN':
    case 'GREATER_THAN_OR_EQUALS': {
      if (toInteger(value) !== undefined) return { operator, problems: [] };
      if (looksLikeDate(value)) {
        const date = parseIsoDate(value);
        return 'problem' in date ? problem(`invalid date value "${value}": ${date.problem}`) : { operator, problems: [] };
      }
      return problem(`${label} needs an integer or an ISO-8601 date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ), got "${value}"`);
    }
    default:
      return { operator, problems: [] };
  }
}

const attributeName = z
  .string({ error: 'attribute must be a string naming a source attribute' })
  .trim()
  .min(1, 'attribute must name a source attribute')
  .max(SCOPING_LIMITS.attributeLength, `attribute names are at most ${SCOPING_LIMITS.attributeLength} characters long`);

const groupName = z
  .string()
  .max(SCOPING_LIMITS.groupNameLength, `group names are at most ${SCOPING_LIMITS.groupNameLength} characters long`)
  .optional();

const clauseSchema = z
  .strictObject({
    attribute: attributeName,
    operator: z.string({ error: `operator must be a string: one of ${VALID_OPERATORS}` }),
    value: z.union([z.string(), z.number(), z.boolean()], { error: 'value must be a string, a number or a boolean' }).optional(),
  })
  .transform((clause, ctx): ScopingClause => {
    const value = clause.value === undefined ? undefined : String(clause.value);
    const { operator, problems } = clauseProblems(clause.operator, value);
    for (const { field, message } of problems) ctx.addIssue({ code: 'custom', path: [field], message });
    if (operator === undefined || problems.length > 0) return z.NEVER;
    return isUnary(operator) ? { attribute: clause.attribute, operator } : { attribute: clause.attribute, operator, value: value! };
  });

const groupSchema = z.strictObject({
  name: groupName,
  clauses: z
    .array(clauseSchema)
    .min(1, 'a group needs at least one clause')
    .max(SCOPING_LIMITS.clausesPerGroup, `a group holds at most ${SCOPING_LIMITS.clausesPerGroup} clauses`),
});

/**
 * Scoping filters in scimflow's shape.
 *
 * @example
 * scopingFilterSchema.parse({ groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] }] })
 */
export const scopingFilterSchema = z.strictObject({
  groups: z.array(groupSchema).max(SCOPING_LIMITS.groups, `a scoping filter holds at most ${SCOPING_LIMITS.groups} groups`),
});

/** Graph adds `@odata.type` to the objects of a synchronization schema; any other unknown key is refused. */
const odataType = { '@odata.type': z.string().optional() };

const entraClauseSchema = z
  .strictObject({
    ...odataType,
    sourceOperandName: attributeName,
    operatorName: z.string({ error: `operatorName must be a string: one of ${VALID_OPERATORS}` }),
    targetOperand: z.strictObject({ ...odataType, values: z.array(z.string()).nullish() }).nullish(),
  })
  .transform((clause, ctx): ScopingClause => {
    const values = clause.targetOperand?.values ?? [];
    const unary = normaliseOperator(clause.operatorName);
    // Unary operators ignore whatever value Entra stored with them.
    const value = unary !== undefined && isUnary(unary) ? undefined : values[0];
    if (values.length > 1 && (unary === undefined || !isUnary(unary))) {
      ctx.addIssue({
        code: 'custom',
        path: ['targetOperand', 'values'],
        message: `a clause takes one value, this one has ${values.length}: write one clause per value (in separate groups to OR them)`,
      });
      return z.NEVER;
    }
    const { operator, problems } = clauseProblems(clause.operatorName, value);
    for (const { field, message } of problems) {
      ctx.addIssue({ code: 'custom', path: field === 'operator' ? ['operatorName'] : ['targetOperand', 'values', 0], message });
    }
    if (operator === undefined || problems.length > 0) return z.NEVER;
    return isUnary(operator)
      ? { attribute: clause.sourceOperandName, operator }
      : { attribute: clause.sourceOperandName, operator, value: value! };
  });

const entraGroupList = z
  .array(
    z.strictObject({
      ...odataType,
      name: groupName.nullable(),
      clauses: z
        .array(entraClauseSchema)
        .min(1, 'a group needs at least one clause')
        .max(SCOPING_LIMITS.clausesPerGroup, `a group holds at most ${SCOPING_LIMITS.clausesPerGroup} clauses`),
    }),
  )
  .max(SCOPING_LIMITS.groups, `a scoping filter holds at most ${SCOPING_LIMITS.groups} groups`)
  .nullish();

/**
 * Entra's synchronization-schema scope (`objectMapping.scope`: `groups`, `inputFilterGroups`,
 * `categoryFilterGroups`), converted into a {@link ScopingFilter}.
 *
 * Entra requires an object to satisfy both `groups` and `inputFilterGroups` when both are set;
 * the conversion keeps that meaning by pairing every group of one with every group of the
 * other (each pair's clauses ANDed). `categoryFilterGroups` (experimental in Entra) are
 * refused. Entra does not deprovision an object that stops satisfying `inputFilterGroups`;
 * here a scope is one decision and an object that leaves it goes out of scope either way.
 */
export const entraScopeSchema = z
  .strictObject({
    ...odataType,
    groups: entraGroupList,
    inputFilterGroups: entraGroupList,
    categoryFilterGroups: z.array(z.unknown()).nullish(),
  })
  .transform((scope, ctx): ScopingFilter => {
    if ((scope.categoryFilterGroups ?? []).length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['categoryFilterGroups'],
        message: 'categoryFilterGroups (experimental in Entra) are not supported: move the clauses to groups',
      });
      return z.NEVER;
    }
    const convert = (groups: NonNullable<typeof scope.groups>): ScopingGroup[] =>
      groups.map((group) =>
        group.name === undefined || group.name === null ? { clauses: group.clauses } : { name: group.name, clauses: group.clauses },
      );
    const sets = [scope.groups ?? [], scope.inputFilterGroups ?? []].filter((set) => set.length > 0).map(convert);
    const [first = [], second] = sets;
    if (second === undefined) return { groups: first };
    const paired = first.flatMap((a) => second.map((b) => pairGroups(a, b)));
    if (paired.length > SCOPING_LIMITS.groups) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `groups (${first.length}) and inputFilterGroups (${second.length}) combine into ${paired.length} groups; at most ${SCOPING_LIMITS.groups} are allowed`,
      });
      return z.NEVER;
    }
    const tooLong = paired.findIndex((group) => group.clauses.length > SCOPING_LIMITS.clausesPerGroup);
    if (tooLong >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `combined group ${tooLong + 1} holds ${paired[tooLong]!.clauses.length} clauses; at most ${SCOPING_LIMITS.clausesPerGroup} are allowed`,
      });
      return z.NEVER;
    }
    return { groups: paired };
  });

function pairGroups(a: ScopingGroup, b: ScopingGroup): ScopingGroup {
  const name = [a.name, b.name].filter((part) => part !== undefined && part !== '').join(' + ');
  const clauses = [...a.clauses, ...b.clauses];
  return name === '' ? { clauses } : { name, clauses };
}

/** Entra's shape is recognised by its own keys: `inputFilterGroups`, `categoryFilterGroups`, or clauses with `operatorName` / `sourceOperandName`. */
function isEntraShape(input: unknown): boolean {
  if (typeof input !== 'object' || input === null) return false;
  if ('inputFilterGroups' in input || 'categoryFilterGroups' in input) return true;
  const groups = (input as { groups?: unknown }).groups;
  if (!Array.isArray(groups)) return false;
  return groups.some((group: unknown) => {
    const clauses = typeof group === 'object' && group !== null ? (group as { clauses?: unknown }).clauses : undefined;
    return (
      Array.isArray(clauses) &&
      clauses.some(
        (clause: unknown) => typeof clause === 'object' && clause !== null && ('operatorName' in clause || 'sourceOperandName' in clause),
      )
    );
  });
}

/**
 * Scoping filters in either shape, scimflow's or Entra's synchronization-schema scope, always
 * giving a {@link ScopingFilter}; issues name paths in the shape that was given.
 */
export const scopingFilterInputSchema = z.unknown().transform((input, ctx): ScopingFilter => {
  const result = (isEntraShape(input) ? entraScopeSchema : scopingFilterSchema).safeParse(input);
  if (result.success) return result.data;
  // Passed on as they are, so an unknown key stays an unrecognized_keys issue naming the key.
  for (const issue of result.error.issues) ctx.addIssue({ ...issue });
  return z.NEVER;
});

/**
 * A scoping-filter schema: scimflow's shape only, or (with `acceptEntraSchema`) Entra's
 * synchronization-schema scope as well.
 */
export function scopingFilter(options: { acceptEntraSchema?: boolean } = {}): z.ZodType<ScopingFilter, unknown> {
  return options.acceptEntraSchema === true ? scopingFilterInputSchema : scopingFilterSchema;
}

export type ScopingFilterInput = z.input<typeof scopingFilterSchema>;
