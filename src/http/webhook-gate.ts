// Bounds on unauthenticated webhook bodies (issue 9, item 6). A body must be read whole before its
// signature can be checked, so anyone can make the server hold one. Three bounds keep that small:
// a body size limit (the route's bodyLimit), a time limit to receive it, and a cap on how many are
// held at once — over the cap a request is answered 503 + Retry-After before its body is read.
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

/** Counts webhook bodies from the first byte of the request until authenticated or answered. */
export class BodyGate {
  private held = 0;
  private readonly slots = new WeakMap<FastifyRequest, () => void>();

  constructor(
    private readonly limits: WebhookLimits,
    private readonly onRefused: (reason: 'busy' | 'body_timeout') => void = () => {},
  ) {}

  get pending(): number {
    return this.held;
  }

  /** onRequest hook: takes a slot or answers 503; drops the connection if the body is too slow. */
  readonly enter = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (this.held >= this.limits.maxPendingBodies) {
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
      return;
    }
    this.held++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.held--;
      clearTimeout(timer);
    };
    const timer = setTimeout(() => {
      // No answer can be written while the body is half read: drop the connection (frees its buffers).
      this.onRefused('body_timeout');
      release();
      req.raw.destroy();
    }, this.limits.bodyTimeoutMs);
    timer.unref();
    req.raw.once('end', () => clearTimeout(timer));
    reply.raw.once('close', release);
    this.slots.set(req, release);
  };

  /** The body is read and its origin known: it no longer counts as unauthenticated. */
  release(req: FastifyRequest): void {
    this.slots.get(req)?.();
  }
}
