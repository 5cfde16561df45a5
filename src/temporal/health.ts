/**
 * Whether a Temporal server answers, and how the service's connections to it come back: its
 * gRPC health service asked over a connection of its own that does not retry (so a server that
 * is away is told within a moment, with the reason), and channel settings that reconnect within
 * two seconds of the server's return instead of grpc's default backoff of up to two minutes.
 */
import { Connection } from '@temporalio/client';

/** gRPC channel settings for every connection to Temporal: reconnect attempts at most 2 s apart. */
export const RECONNECT_QUICKLY = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2000 };

const SERVING = 1;

export interface TemporalProbe {
  /** Resolves when the server says it is serving; throws saying what is wrong otherwise. */
  check(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** A probe of the Temporal server at `address` (host:port). */
export function probeTemporal(address: string): TemporalProbe {
  const connection = Connection.lazy({ address, interceptors: [], channelArgs: RECONNECT_QUICKLY });
  return {
    async check(timeoutMs) {
      let status: number | null | undefined;
      try {
        ({ status } = await connection.withDeadline(Date.now() + timeoutMs, () => connection.healthService.check({})));
      } catch (error) {
        const details = (error as { details?: unknown }).details;
        const why =
          typeof details === 'string' && details
            ? details
                .replace(/\s*Resolution note:.*$/s, '')
                .replace(/\s*Last error: null\.?/, '')
                .trim()
            : String(error);
        throw new Error(`Temporal at ${address} does not answer: ${why}`, { cause: error });
      }
      if (status !== SERVING) throw new Error(`Temporal at ${address} is not serving (health status ${status})`);
    },
    close: () => connection.close(),
  };
}
