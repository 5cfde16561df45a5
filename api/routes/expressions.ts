/**
 * The expression language as a tool: `POST /expressions/evaluate` runs an Entra-style
 * expression against a sample source object, `GET /expressions/functions` lists every function
 * with its signature. Errors name the position, what was expected and what was found.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  EXPRESSION_FUNCTIONS,
  evaluateExpression,
  ExpressionError,
  isIgnoreFlow,
  isUniqueCandidates,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
} from '../../src/mapping/expression/index';
import type { SourceValue } from '../../src/source/index';
import { ApiError, routeGroup } from '../errors';
import type { ApiDeps } from '../deps';
import { errorSchema } from '../schemas';

const evaluateBody = z
  .strictObject({
    expression: z
      .string()
      .min(1, 'expression is required')
      .max(MAX_EXPRESSION_LENGTH, `expression must be at most ${MAX_EXPRESSION_LENGTH} characters`),
    source: z
      .record(z.string(), z.any())
      .default({})
      .openapi({ description: 'Source attributes by name (case-sensitive), e.g. {"givenName": "Zoë"}' }),
    operation: z.enum(['create', 'update']).default('create').openapi({ description: 'SelectUniqueValue only gives candidates on create' }),
  })
  .openapi('EvaluateExpressionRequest', {
    example: {
      expression: 'ToLower(NormalizeDiacritics(Join(".", [givenName], [surname])))',
      source: { givenName: 'Zoë', surname: 'Ångström' },
    },
  });

const evaluateResult = z
  .object({
    value: z.any().openapi({ description: 'null, a string, number, boolean or array' }),
    flow: z.enum(['value', 'ignored', 'uniqueCandidates']).openapi({
      description:
        '`ignored`: IgnoreFlowIfNullOrEmpty leaves the attribute out; `uniqueCandidates`: SelectUniqueValue candidates, checked against the target on create',
    }),
  })
  .openapi('EvaluateExpressionResult');

const functionSchema = z
  .object({ name: z.string(), signature: z.string(), description: z.string(), minArgs: z.number(), maxArgs: z.number().nullable() })
  .openapi('ExpressionFunction');

/** A 400 naming where the expression went wrong. */
function expressionError(error: ExpressionError): ApiError {
  return new ApiError(
    400,
    error.kind === 'configuration' ? 'InvalidExpression' : 'EvaluationFailed',
    error.message,
    [{ path: 'expression', message: `line ${error.line}, column ${error.column} (position ${error.position}): ${error.problem}` }],
    {
      position: error.position,
      line: error.line,
      column: error.column,
      expected: error.expected,
      ...(error.found !== undefined && { found: error.found }),
    },
  );
}

export function expressionRoutes(_deps: ApiDeps) {
  const app = routeGroup();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/expressions/evaluate',
      summary: 'Evaluate an attribute-mapping expression against sample source attributes',
      request: { body: { content: { 'application/json': { schema: evaluateBody } }, required: true } },
      responses: {
        200: { content: { 'application/json': { schema: evaluateResult } }, description: 'The value' },
        400: { content: { 'application/json': { schema: errorSchema } }, description: 'A parse or evaluation error with its position' },
      },
    }),
    (c) => {
      const body = c.req.valid('json');
      try {
        const parsed = parseExpression(body.expression);
        const value = evaluateExpression(parsed, body.source as Record<string, SourceValue>, {
          operation: body.operation,
          now: new Date(),
          random: Math.random,
        });
        if (isIgnoreFlow(value)) return c.json({ value: null, flow: 'ignored' as const }, 200);
        if (isUniqueCandidates(value)) return c.json({ value: [...value.candidates], flow: 'uniqueCandidates' as const }, 200);
        return c.json({ value: value ?? null, flow: 'value' as const }, 200);
      } catch (error) {
        if (error instanceof ExpressionError) throw expressionError(error);
        throw error;
      }
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/expressions/functions',
      summary: 'Every expression function with its signature and a one-line description',
      responses: {
        200: { content: { 'application/json': { schema: z.object({ items: z.array(functionSchema) }) } }, description: 'The functions' },
      },
    }),
    (c) =>
      c.json(
        {
          items: EXPRESSION_FUNCTIONS.map(({ name, signature, description, minArgs, maxArgs }) => ({
            name,
            signature,
            description,
            minArgs,
            maxArgs,
          })),
        },
        200,
      ),
  );
  return app;
}
