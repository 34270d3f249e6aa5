// The body gate's bounds without a timer per request: a slow body is dropped once the sweep finds it at
// least the timeout old (and at most a quarter more), a received body is kept until answered, and every
// way a request ends gives its slot back. Timers are faked: time is moved, never waited for.
import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BodyGate } from './webhook-gate.ts';

const TIMEOUT = 1000;

interface FakeRequest {
  req: FastifyRequest;
  raw: EventEmitter & { complete: boolean; destroyed: boolean; destroy(): void };
  res: EventEmitter;
  busy: { status: number | null; headers: Record<string, unknown> };
}

function request(): FakeRequest {
  const raw = Object.assign(new EventEmitter(), {
    complete: false,
    destroyed: false,
    destroy() {
      raw.destroyed = true;
    },
    socket: { pause() {}, destroy() {} },
  });
  const res = Object.assign(new EventEmitter(), {
    writeHead(status: number, headers: Record<string, unknown>) {
      busy.status = status;
      busy.headers = headers;
    },
    end() {},
  });
  const busy: FakeRequest['busy'] = { status: null, headers: {} };
  return { req: { raw } as unknown as FastifyRequest, raw, res, busy };
}

function enter(gate: BodyGate, r: FakeRequest): void {
  const reply = { raw: r.res, hijack() {} } as unknown as FastifyReply;
  const done = vi.fn();
  gate.enter(r.req, reply, done);
  expect(done).toHaveBeenCalledOnce();
}

describe('webhook body gate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('drops a body still arriving after the timeout, not before, and at most a quarter later', () => {
    const refused: string[] = [];
    const gate = new BodyGate({ bodyLimit: 1024, bodyTimeoutMs: TIMEOUT, maxPendingBodies: 8 }, (reason) =>
      refused.push(reason),
    );
    const slow = request();
    enter(gate, slow);
    expect(gate.pending).toBe(1);
    vi.advanceTimersByTime(TIMEOUT - 1);
    expect(slow.raw.destroyed).toBe(false);
    expect(gate.pending).toBe(1);
    vi.advanceTimersByTime(TIMEOUT / 4 + 1);
    expect(slow.raw.destroyed).toBe(true);
    expect(refused).toEqual(['body_timeout']);
    expect(gate.pending).toBe(0);
    // Nothing held: the sweep stops (no timer left behind an idle server).
    vi.advanceTimersByTime(TIMEOUT);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a received body waiting for its answer past the timeout; the answer frees it', () => {
    const gate = new BodyGate({ bodyLimit: 1024, bodyTimeoutMs: TIMEOUT, maxPendingBodies: 8 });
    const waiting = request();
    enter(gate, waiting);
    waiting.raw.complete = true;
    vi.advanceTimersByTime(3 * TIMEOUT);
    expect(waiting.raw.destroyed).toBe(false);
    expect(gate.pending).toBe(1);
    waiting.res.emit('close');
    expect(gate.pending).toBe(0);
  });

  it('gives a slot back once whichever way the request ends (authenticated, then answered)', () => {
    const gate = new BodyGate({ bodyLimit: 1024, bodyTimeoutMs: TIMEOUT, maxPendingBodies: 2 });
    const a = request();
    const b = request();
    enter(gate, a);
    enter(gate, b);
    gate.release(a.req);
    expect(gate.pending).toBe(1);
    a.res.emit('close');
    gate.release(a.req);
    expect(gate.pending).toBe(1);
    b.res.emit('close');
    expect(gate.pending).toBe(0);
  });

  it('answers 503 + Retry-After over the cap, and takes a body again once a slot is free', () => {
    const refused: string[] = [];
    const gate = new BodyGate({ bodyLimit: 1024, bodyTimeoutMs: TIMEOUT, maxPendingBodies: 1 }, (reason) =>
      refused.push(reason),
    );
    const first = request();
    enter(gate, first);
    const over = request();
    enter(gate, over);
    expect(over.busy.status).toBe(503);
    expect(over.busy.headers['retry-after']).toBe('1');
    expect(refused).toEqual(['busy']);
    expect(gate.pending).toBe(1);
    first.res.emit('close');
    const next = request();
    enter(gate, next);
    expect(next.busy.status).toBeNull();
    expect(gate.pending).toBe(1);
  });

  it('a slow body among older received ones is still found and dropped', () => {
    const gate = new BodyGate({ bodyLimit: 1024, bodyTimeoutMs: TIMEOUT, maxPendingBodies: 8 });
    const received = request();
    enter(gate, received);
    received.raw.complete = true;
    vi.advanceTimersByTime(TIMEOUT / 2);
    const slow = request();
    enter(gate, slow);
    vi.advanceTimersByTime(TIMEOUT + TIMEOUT / 4);
    expect(slow.raw.destroyed).toBe(true);
    expect(received.raw.destroyed).toBe(false);
    expect(gate.pending).toBe(1);
  });

  it('close() stops the sweep', () => {
    const gate = new BodyGate({ bodyLimit: 1024, bodyTimeoutMs: TIMEOUT, maxPendingBodies: 8 });
    enter(gate, request());
    expect(vi.getTimerCount()).toBe(1);
    gate.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
