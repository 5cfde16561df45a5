/**
 * Reads the bodies of successful SCIM answers. Liberal where targets differ harmlessly (a
 * missing `schemas`, a numeric `id`, a ListResponse without `Resources` when nothing matched),
 * strict where a wrong guess would do harm: a find whose result cannot be read must never look
 * like "no match", or the caller would create a second account.
 */
import { z } from 'zod';
import { invalidResponse, type RequestLine } from './errors';
import type { ListResponse, ScimResource } from './types';

/** A successful answer: its status and its JSON body, undefined when the body was empty. */
export interface ScimResponse {
  status: number;
  body: unknown;
}

/** A page of resources; `Resources` is always present (empty when the target left it out). */
export type ScimPage = ListResponse<ScimResource> & { Resources: ScimResource[] };

const resourceSchema = z.looseObject({
  schemas: z.array(z.string()).default([]),
  id: z
    .union([z.string().min(1), z.number()])
    .transform(String)
    .optional(),
});

const listSchema = z.looseObject({
  schemas: z.array(z.string()).default([]),
  totalResults: z.number().int().nonnegative().optional(),
  startIndex: z.number().int().optional(),
  itemsPerPage: z.number().int().optional(),
  Resources: z.array(resourceSchema).optional(),
});

function parse<T>(schema: z.ZodType<T>, request: RequestLine, response: ScimResponse, what: string): T {
  if (response.body === undefined) throw invalidResponse(request, response.status, `an empty body where ${what} was expected`);
  const result = schema.safeParse(response.body);
  if (!result.success) {
    throw invalidResponse(
      request,
      response.status,
      `a body that is not ${what} (${z.prettifyError(result.error)})`,
      JSON.stringify(response.body),
    );
  }
  return result.data;
}

/** The resource in a successful answer; InvalidResponse when there is none. */
export function readResource(request: RequestLine, response: ScimResponse): ScimResource {
  return parse(resourceSchema, request, response, 'a SCIM resource');
}

/** The resource in an answer that may also be empty (PATCH and PUT may answer 204). */
export function readOptionalResource(request: RequestLine, response: ScimResponse): ScimResource | undefined {
  return response.body === undefined ? undefined : readResource(request, response);
}

/** The created resource, which must carry the `id` the target gave it. */
export function readCreatedResource(request: RequestLine, response: ScimResponse): ScimResource {
  const resource = readResource(request, response);
  if (resource.id === undefined) {
    throw invalidResponse(request, response.status, 'a created resource without an id', JSON.stringify(response.body));
  }
  return resource;
}

/** A ListResponse page; `Resources` may only be missing when it would be empty. */
export function readPage(request: RequestLine, response: ScimResponse): ScimPage {
  const list = parse(listSchema, request, response, 'a SCIM ListResponse');
  const resources = (list.Resources ?? []) as ScimResource[];
  const totalResults = list.totalResults ?? resources.length;
  if (list.Resources === undefined && totalResults > 0 && list.itemsPerPage !== 0) {
    throw invalidResponse(
      request,
      response.status,
      `a ListResponse of ${totalResults} results without Resources`,
      JSON.stringify(response.body),
    );
  }
  return {
    ...list,
    totalResults,
    startIndex: list.startIndex ?? 1,
    itemsPerPage: list.itemsPerPage ?? resources.length,
    Resources: resources,
  };
}
