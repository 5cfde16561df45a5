/**
 * A reverse proxy on loopback that forwards requests verbatim to a target and injects the
 * faults real SCIM targets show: throttling and server errors (with or without `Retry-After`,
 * with SCIM or foreign bodies), slow answers and connections dropped before or after the
 * target processed the request. Every request is recorded for assertions.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** Answers in place of the target, which never sees the request. */
  | {
      kind: 'status';
      status: 429 | 500 | 502 | 503;
      /** The raw `Retry-After` value: seconds (`'1'`, `'0.5'`) or an HTTP date. */
      retryAfter?: string;
      /** The body, e.g. an HTML page or a vendor's own JSON; a SCIM error body when absent. */
      body?: string;
    }
  /** Forwards at once and holds the target's answer back for `ms`. */
  | { kind: 'delay'; ms: number }
  /**
   * Destroys the client's connection without an answer: `before` forwarding (the target never
   * sees the request) or `after` the target answered (it did the work; the client never hears).
   */
  | { kind: 'drop'; when: 'before' | 'after' };

export interface FaultRule {
  /** How many matching requests get the fault; the rule is spent after that. */
  times: number;
  /**
   * All given conditions must hold; no conditions match every request. `bodyIncludes` tells
   * requests to one path apart by what they carry (e.g. `"members"` for member changes).
   */
  match?: { method?: string; pathIncludes?: string; bodyIncludes?: string };
  fault: Fault;
}

export interface ProxiedRequest {
  method: string;
  /** The path with its query, as the client sent it. */
  path: string;
  /** The fault applied to this request, if any. */
  fault: Fault | undefined;
  /** Whether the request reached the target. */
  forwarded: boolean;
  /** The status the client received; undefined when it received none (dropped, or it went away). */
  status: number | undefined;
}

/** When the proxy received a request and finished with it, on its own clock (`performance.now()`, ms). */
export interface RequestTiming {
  arrivedAt: number;
  /** When the answer was sent or the connection dropped; undefined while in flight. */
  doneAt: number | undefined;
}

export interface FaultProxy {
  /** The proxy's origin, `http://127.0.0.1:PORT`; paths below it are forwarded unchanged. */
  url: string;
  /** Adds a rule; the first rule with uses left that matches a request applies to it. */
  plan(rule: FaultRule): void;
  /** Drops every rule: requests pass unchanged again. */
  clear(): void;
  /** Every request so far, in arrival order. */
  readonly requests: ProxiedRequest[];
  /** When a request of `requests` arrived and was done with. */
  timingOf(request: ProxiedRequest): RequestTiming;
  /** Requests received and not yet answered or dropped. */
  readonly inFlight: number;
  /** The most requests in flight at once since the start or the last `resetMaxInFlight()`. */
  readonly maxInFlight: number;
  resetMaxInFlight(): void;
  stop(): Promise<void>;
}

/** Headers that describe one connection, not the message, so they are not passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function matches(rule: FaultRule, request: IncomingMessage, body: Buffer): boolean {
  const { method, pathIncludes, bodyIncludes } = rule.match ?? {};
  if (method !== undefined && method.toUpperCase() !== request.method) return false;
  if (pathIncludes !== undefined && !(request.url ?? '').includes(pathIncludes)) return false;
  if (bodyIncludes !== undefined && !body.toString('utf8').includes(bodyIncludes)) return false;
  return true;
}

function faultBody(fault: Extract<Fault, { kind: 'status' }>): { body: string; contentType: string } {
  if (fault.body === undefined) {
    const body = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(fault.status),
      detail: 'injected fault',
    });
    return { body, contentType: 'application/scim+json' };
  }
  return { body: fault.body, contentType: fault.body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'application/json' };
}

/**
 * Starts a fault-injecting proxy in front of `target` (an origin, optionally with a path prefix).
 *
 * @example
 * const proxy = await startFaultProxy({ target: 'http://127.0.0.1:8080' });
 * proxy.plan({ times: 1, match: { method: 'GET' }, fault: { kind: 'status', status: 429, retryAfter: '0.2' } });
 * const scim = new ScimClient({ baseUrl: `${proxy.url}/tenant/v2`, authorization });
 */
export async function startFaultProxy(options: {
  target: string;
  /**
   * A SaaS target's own limit: more than `requests` within any `windowMs` (default 1000) are
   * answered 429 with `Retry-After: retryAfter` (default '1') without reaching the target.
   */
  rateLimit?: { requests: number; windowMs?: number; retryAfter?: string };
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  const prefix = target.pathname.replace(/\/+$/, '');
  const agent = new Agent({ keepAlive: true });
  const rules: FaultRule[] = [];
  const requests: ProxiedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const timings = new WeakMap<ProxiedRequest, RequestTiming>();
  let inFlight = 0;
  let maxInFlight = 0;
  /** Arrival times of the requests the rate limit let through, oldest first. */
  const admitted: number[] = [];

  function overLimit(at: number): boolean {
    if (!options.rateLimit) return false;
    const { requests: limit, windowMs = 1000 } = options.rateLimit;
    while (admitted.length > 0 && admitted[0]! <= at - windowMs) admitted.shift();
    if (admitted.length >= limit) return true;
    admitted.push(at);
    return false;
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  function forward(incoming: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = endToEnd(incoming.headers);
      if (body.length > 0 || headers['content-length'] !== undefined) headers['content-length'] = String(body.length);
      const outgoing = httpRequest(
        {
          protocol: target.protocol,
          hostname: target.hostname,
          port: target.port,
          method: incoming.method,
          path: `${prefix}${incoming.url ?? '/'}`,
          headers,
          agent,
        },
        (answer) => {
          readBody(answer).then(
            (answerBody) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }),
            reject,
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const record: ProxiedRequest = {
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      fault: undefined,
      forwarded: false,
      status: undefined,
    };
    requests.push(record);
    const timing: RequestTiming = { arrivedAt: performance.now(), doneAt: undefined };
    timings.set(record, timing);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const body = await readBody(incoming);
      const rule = rules.find((candidate) => candidate.times > 0 && matches(candidate, incoming, body));
      if (rule) rule.times--;
      record.fault = overLimit(timing.arrivedAt)
        ? { kind: 'status', status: 429, retryAfter: options.rateLimit?.retryAfter ?? '1' }
        : rule?.fault;
      await respond(incoming, response, body, record.fault, record);
    } finally {
      inFlight--;
      timing.doneAt = performance.now();
    }
  }

  async function respond(
    incoming: IncomingMessage,
    response: ServerResponse,
    body: Buffer,
    fault: Fault | undefined,
    record: ProxiedRequest,
  ): Promise<void> {
    if (fault?.kind === 'drop' && fault.when === 'before') {
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const { body: text, contentType } = faultBody(fault);
      const headers: Record<string, string> = { 'content-type': contentType };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      response.writeHead(fault.status, headers).end(text);
      record.status = fault.status;
      return;
    }

    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      record.forwarded = true;
      answer = await forward(incoming, body);
    } catch (error) {
      response.writeHead(502, { 'content-type': 'text/plain' }).end(`fault proxy: the target failed: ${String(error)}`);
      record.status = 502;
      return;
    }
    if (fault?.kind === 'drop') {
      incoming.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await pause(fault.ms);
    // The client may have given up (timeout) while the answer was held back.
    if (incoming.socket.destroyed) return;
    response.writeHead(answer.status, endToEnd(answer.headers)).end(answer.body);
    record.status = answer.status;
  }

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' }).end(`fault proxy: ${String(error)}`);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    plan: (rule) => {
      if (!Number.isInteger(rule.times) || rule.times < 1) throw new RangeError(`times must be an integer >= 1, not ${rule.times}`);
      rules.push({ ...rule });
    },
    clear() {
      rules.length = 0;
    },
    requests,
    timingOf: (request) => {
      const timing = timings.get(request);
      if (timing === undefined) throw new Error('not a request this proxy recorded');
      return timing;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    resetMaxInFlight: () => {
      maxInFlight = inFlight;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
