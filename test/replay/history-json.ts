/**
 * Temporal's JSON history format (what `temporal workflow show --output json` and the SDK's
 * `historyToJSON` write), read and written with the protobufjs copy that @temporalio/proto was
 * built with. The SDK's own `historyToJSON` / `historyFromJSON` (@temporalio/common) throw
 * "type must be a Type" when npm nests a separate protobufjs 8 under each @temporalio package, as
 * it does in this lockfile (the top level holds protobufjs 7 for @grpc/proto-loader): protojson
 * checks `instanceof Type` against its own copy, and the proto types come from another.
 */
import { createRequire } from 'node:module';
import type * as Proto from '@temporalio/proto';
import type * as ProtobufRoot from '@temporalio/proto/lib/patch-protobuf-root';

export type History = Proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

const require = createRequire(import.meta.url);
const proto = require('@temporalio/proto') as typeof Proto;
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as typeof ProtobufRoot;
const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

/** The history as indented JSON, e.g. for a file under version control. */
export function historyToJSON(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/**
 * A history read back from its JSON. Fields a newer server or SDK added are ignored, as the SDK
 * does; the result is a message the replay worker takes as it is.
 */
export function historyFromJSON(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a history');
  return history;
}
