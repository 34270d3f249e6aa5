// Bounds on unauthenticated webhook bodies (issue 9, item 6). A body must be read whole before its
// signature can be checked, so anyone can make the server hold one. Three bounds keep that small:
// a body size limit (the route's bodyLimit), a time limit to receive it, and a cap on how many are
// held at once — over the cap a request is answered 503 + Retry-After before its body is read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.ts';

export interface WebhookLimits {
  bodyLimit: number;
  bodyTimeoutMs: number;
  maxPendingBodies: number;
}

/**
 * Meta documents no byte limit, only batches of "up to 1000 updates"; a Messenger event is a few
 * hundred bytes, so 512 KB holds a full batch of ordinary events. Meta expects the answer within 5 s,
 * so a body still arriving after that is of no use. 64 held bodies ≤ 32 MB.
 */
export const DEFAULT_WEBHOOK_LIMITS: WebhookLimits = {
  bodyLimit: 512 * 1024,
  bodyTimeoutMs: 5_000,
  maxPendingBodies: 64,
};

const BUSY = {
  en: 'Too many webhook deliveries are being received; retry shortly.',
  vi: 'Máy chủ đang nhận quá nhiều webhook cùng lúc; vui lòng thử lại sau ít giây.',
};

/** Sweeps per body timeout: a slow body is dropped between 1 and 1 + 1/SWEEPS timeouts after it began. */
const SWEEPS = 4;

interface Slot {
  gate: BodyGate;
  req: IncomingMessage;
  /** The sweep count when the request arrived: its age in sweep periods, without reading a clock. */
  born: number;
}

const SLOT = Symbol('webhook body slot');
type WithSlot = { [SLOT]?: Slot };

/** The response's 'close' (answered, refused, dropped or aborted): one shared listener, no closure. */
function onResponseClose(this: ServerResponse): void {
  const slot = (this as WithSlot)[SLOT];
  if (slot) slot.gate.free(slot);
}

/**
 * Counts webhook bodies from the first byte of the request until authenticated or answered. The time
 * bound costs no timer per request (a timer, its callback and two listeners were a visible part of a
 * delivery's CPU): one sweep every timeout / SWEEPS, running only while a body is held, drops a request
 * whose body is still incomplete after at least the timeout (at most a quarter more).
 */
export class BodyGate {
  private readonly held = new Set<Slot>();
  private sweeps = 0;
  private sweeper: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly limits: WebhookLimits,
    private readonly onRefused: (reason: 'busy' | 'body_timeout') => void = () => {},
  ) {}

  get pending(): number {
    return this.held.size;
  }

  /** onRequest hook: takes a slot or answers 503 (callback style: no promise per request). */
  readonly enter = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (this.held.size >= this.limits.maxPendingBodies) {
      this.onRefused('busy');
      // Read no more of a body we will not use (draining it costs as much memory churn as keeping
      // it), answer, and close the connection.
      const socket = req.raw.socket;
      socket.pause();
      reply.hijack();
      const body = JSON.stringify(errorBody('webhook_busy', BUSY.en, BUSY));
      reply.raw.writeHead(503, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'retry-after': '1',
        connection: 'close',
      });
      reply.raw.end(body, () => socket.destroy());
      done();
      return;
    }
    const slot: Slot = { gate: this, req: req.raw, born: this.sweeps };
    this.held.add(slot);
    (req.raw as WithSlot)[SLOT] = slot;
    (reply.raw as WithSlot)[SLOT] = slot;
    reply.raw.on('close', onResponseClose);
    if (this.sweeper === null && !this.closed) {
      const every = Math.max(1, Math.ceil(this.limits.bodyTimeoutMs / SWEEPS));
      this.sweeper = setInterval(() => this.sweep(), every);
      this.sweeper.unref();
    }
    done();
  };

  /** The body is read and its origin known: it no longer counts as unauthenticated. */
  release(req: FastifyRequest): void {
    const slot = (req.raw as WithSlot)[SLOT];
    if (slot) this.free(slot);
  }

  /** @internal The slot is given back (released, answered or dropped); idempotent. */
  free(slot: Slot): void {
    this.held.delete(slot);
  }

  /** Stops the sweep (the server is closing; its connections go with it). */
  close(): void {
    this.closed = true;
    this.stopSweeping();
  }

  private sweep(): void {
    this.sweeps++;
    // Oldest first (a Set keeps insertion order): stop at the first one too young to drop.
    for (const slot of this.held) {
      if (this.sweeps - slot.born <= SWEEPS) break;
      // Fully received: it waits for its answer, no longer for its body.
      if (slot.req.complete) continue;
      // No answer can be written while the body is half read: drop the connection (frees its buffers).
      this.onRefused('body_timeout');
      this.free(slot);
      slot.req.destroy();
    }
    if (this.held.size === 0) this.stopSweeping();
  }

  private stopSweeping(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
