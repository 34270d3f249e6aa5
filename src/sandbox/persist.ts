// The sandbox's state on disk, beside the product's data, so that a restarted `npm start` finds the
// same phone: pages, customers, threads, tokens, opt-in requests, accepted sends and the clock.
// Two JSON-lines files in the state directory:
//   sandbox-state.jsonl    a snapshot, replaced atomically (temp file + rename) at start and close;
//   sandbox-journal.jsonl  what changed since, appended before the sandbox answers the request that
//                          changed it — one write() per request, so a SIGKILL loses nothing answered.
// Every record is a whole entity (a customer, a token, the page-level state) or an array tail with
// its start index (a thread, the accepted sends), so replaying a record twice gives the same state,
// and a send writes what it added, not the customer's whole history.
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { ManualClock } from '../clock.ts';
import type { LoginSnapshot } from './facebook-login.ts';
import type { SandboxState, Touch } from './state.ts';
import type { MarketingSend } from './state-2026.ts';
import type {
  OptInRequestRecord,
  OtnToken,
  ReceivedSend,
  RecurringToken,
  SimCustomer,
  SimPage,
  ThreadItem,
  WebhookEvent,
} from './types.ts';
import type { Outbox } from './webhooks.ts';

export const SNAPSHOT_FILE = 'sandbox-state.jsonl';
export const JOURNAL_FILE = 'sandbox-journal.jsonl';
/** Past this size the journal is folded into a new snapshot (a rare O(state) write). */
const COMPACT_AT_BYTES = 64 * 1024 * 1024;

type Rec =
  | { k: 'meta'; now: string; wall: number; tokenSeq: number; primaryPageId: string; pages: SimPage[] }
  | { k: 'customer'; c: SimCustomer }
  | { k: 'thread'; psid: string; from: number; items: ThreadItem[] }
  | { k: 'otn'; t: OtnToken }
  | { k: 'nm'; t: RecurringToken }
  | { k: 'received'; from: number; items: ReceivedSend[] }
  | { k: 'optinRequests'; from: number; items: OptInRequestRecord[] }
  | { k: 'wh'; id: number; pageId: string; event: WebhookEvent }
  | { k: 'whDone'; ids: number[] }
  | { k: 'm2026'; data: unknown }
  | { k: 'mmSend'; i: number; s: MarketingSend }
  | { k: 'login'; s: LoginSnapshot };

const date = (v: unknown) => (v == null ? null : new Date(v as string));
function revive<T>(o: T, keys: readonly string[]): T {
  const r = o as Record<string, unknown>;
  for (const k of keys) if (k in r) r[k] = date(r[k]);
  return o;
}
const CUSTOMER_DATES = ['lastInteractionAt', 'mutedUntil', 'createdAt'] as const;
const OTN_DATES = ['createdAt', 'expiresAt', 'usedAt'] as const;
const NM_DATES = [
  'createdAt',
  'updatedAt',
  'expiresAt',
  'stoppedAt',
  'lastSentAt',
  'nextEligibleAt',
] as const;

export class StateFile {
  private readonly snapshotPath: string;
  private readonly journalPath: string;
  private fd: number | null = null;
  private journalBytes = 0;
  private readonly customers = new Set<string>();
  /** Threads whose items changed in place: written whole. Others: from `threadMarks` on. */
  private readonly threads = new Set<string>();
  private readonly threadMarks = new Map<string, number>();
  private readonly tokens = new Set<string>();
  private metaTouched = false;
  private m2026Touched = false;
  private readonly mmSends = new Set<number>();
  private loginTouched = false;
  private lastMeta = '';
  private receivedMark = 0;
  private optInMark = 0;
  /** Webhook events not yet delivered (or given up on); `owedAtOpen` = those a restart must send. */
  private readonly owedEvents = new Map<number, { pageId: string; event: WebhookEvent }>();
  private owedAtOpen: Array<{ id: number; pageId: string; event: WebhookEvent }> = [];
  private outboxSeq = 0;
  private readonly outboxAdded: number[] = [];
  private readonly outboxDone: number[] = [];
  readonly outbox: Outbox = {
    add: (pageId, event) => {
      const id = ++this.outboxSeq;
      this.owedEvents.set(id, { pageId, event });
      this.outboxAdded.push(id);
      return id;
    },
    done: (ids) => {
      for (const id of ids) this.owedEvents.delete(id);
      this.outboxDone.push(...ids);
      // Written with the next request's changes or within 50 ms: nobody waits on it, and a delivery
      // repeated after a kill is harmless (Meta repeats deliveries too).
      this.doneTimer ??= setTimeout(() => {
        this.doneTimer = null;
        this.flush();
      }, 50).unref();
    },
  };
  private doneTimer: NodeJS.Timeout | null = null;
  private readonly watch = (t: Touch) => {
    if (t.kind === 'customer') this.customers.add(t.psid);
    else if (t.kind === 'thread') {
      this.customers.add(t.psid);
      this.threads.add(t.psid);
    } else if (t.kind === 'token') this.tokens.add(t.token);
    else if (t.kind === 'm2026') this.m2026Touched = true;
    else if (t.kind === 'mmSend') this.mmSends.add(t.index);
    else if (t.kind === 'login') this.loginTouched = true;
    else this.metaTouched = true;
  };

  constructor(
    dir: string,
    private readonly state: SandboxState,
    private readonly clock: ManualClock,
  ) {
    mkdirSync(dir, { recursive: true });
    this.snapshotPath = path.join(dir, SNAPSHOT_FILE);
    this.journalPath = path.join(dir, JOURNAL_FILE);
  }

  /** Restores what the files hold (true if there was anything); then starts recording changes. */
  open(): boolean {
    let loaded = false;
    for (const file of [this.snapshotPath, this.journalPath]) {
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        let rec: Rec;
        try {
          rec = JSON.parse(line) as Rec;
        } catch {
          continue; // a torn last line (power loss mid-write): what it held was never answered
        }
        this.apply(rec);
        loaded = true;
      }
    }
    this.owedAtOpen = [...this.owedEvents].map(([id, w]) => ({ id, ...w }));
    this.state.watchers.add(this.watch);
    this.fd = openSync(this.journalPath, 'a');
    this.compact();
    return loaded;
  }

  private apply(rec: Rec): void {
    const s = this.state;
    switch (rec.k) {
      case 'meta': {
        s.pages.clear();
        for (const p of rec.pages) s.pages.set(p.id, p);
        s.primaryPageId = rec.primaryPageId;
        s.tokenSeq = rec.tokenSeq;
        // Real time keeps its saved offset, and never goes back before the last recorded instant.
        const saved = Date.parse(rec.now);
        this.clock.set(new Date(Math.max(Date.now() + (saved - rec.wall), saved)));
        return;
      }
      case 'customer':
        s.customers.set(rec.c.psid, revive(rec.c, CUSTOMER_DATES));
        return;
      case 'thread': {
        const t = s.thread(rec.psid);
        t.length = Math.min(rec.from, t.length);
        t.push(...rec.items);
        return;
      }
      case 'otn':
        s.otnTokens.set(rec.t.token, revive(rec.t, OTN_DATES));
        return;
      case 'nm':
        s.recurringTokens.set(rec.t.token, revive(rec.t, NM_DATES));
        return;
      case 'received':
        s.received.length = Math.min(rec.from, s.received.length);
        s.received.push(...rec.items);
        return;
      case 'optinRequests':
        s.optInRequests.length = Math.min(rec.from, s.optInRequests.length);
        s.optInRequests.push(...rec.items.map((r) => revive(r, ['at'])));
        return;
      case 'wh':
        this.owedEvents.set(rec.id, { pageId: rec.pageId, event: rec.event });
        this.outboxSeq = Math.max(this.outboxSeq, rec.id);
        return;
      case 'whDone':
        for (const id of rec.ids) this.owedEvents.delete(id);
        return;
      case 'm2026':
        s.m2026.load(rec.data);
        return;
      case 'mmSend':
        s.m2026.putSend(rec.i, rec.s);
        return;
      case 'login':
        s.login.restore(rec.s);
        return;
    }
  }

  private metaRecord(): { rec: Rec; key: string } {
    const s = this.state;
    const rest = { tokenSeq: s.tokenSeq, primaryPageId: s.primaryPageId, pages: [...s.pages.values()] };
    const now = this.clock.now();
    return {
      rec: { k: 'meta', now: now.toISOString(), wall: Date.now(), ...rest },
      key: JSON.stringify(rest),
    };
  }

  /** The webhook events the sandbox owed when it stopped, oldest first; given once. */
  takeOwed(): Array<{ id: number; pageId: string; event: WebhookEvent }> {
    const owed = this.owedAtOpen;
    this.owedAtOpen = [];
    return owed;
  }

  /** Appends what changed since the last flush. Synchronous: the caller answers only after it. */
  flush(): void {
    if (this.fd === null) return;
    const s = this.state;
    const out: string[] = [];
    const meta = this.metaRecord();
    if (this.metaTouched || meta.key !== this.lastMeta) {
      out.push(JSON.stringify(meta.rec));
      this.lastMeta = meta.key;
      this.metaTouched = false;
    }
    for (const psid of this.customers) {
      const c = s.customers.get(psid);
      if (!c) continue;
      out.push(JSON.stringify({ k: 'customer', c }));
      const thread = s.thread(psid);
      const mark = this.threadMarks.get(psid) ?? 0;
      const from = this.threads.has(psid) || thread.length < mark ? 0 : mark;
      if (from < thread.length || from < mark) {
        out.push(JSON.stringify({ k: 'thread', psid, from, items: thread.slice(from) }));
      }
      this.threadMarks.set(psid, thread.length);
    }
    this.customers.clear();
    this.threads.clear();
    // Facebook Login state is small (people, apps, tokens): written whole when it changed.
    if (this.loginTouched) out.push(JSON.stringify({ k: 'login', s: s.login.snapshot() }));
    this.loginTouched = false;
    for (const token of this.tokens) {
      const otn = s.otnTokens.get(token);
      const nm = s.recurringTokens.get(token);
      if (otn) out.push(JSON.stringify({ k: 'otn', t: otn }));
      if (nm) out.push(JSON.stringify({ k: 'nm', t: nm }));
    }
    this.tokens.clear();
    if (this.m2026Touched) {
      out.push(JSON.stringify({ k: 'm2026', data: s.m2026 }));
      this.m2026Touched = false;
    }
    for (const i of this.mmSends) {
      const send = s.m2026.marketingSends[i];
      if (send) out.push(JSON.stringify({ k: 'mmSend', i, s: send }));
    }
    this.mmSends.clear();
    // Append-only logs: their new tail, or all of it after a clear (DELETE /sandbox/received).
    if (s.received.length !== this.receivedMark) {
      const from = s.received.length < this.receivedMark ? 0 : this.receivedMark;
      out.push(JSON.stringify({ k: 'received', from, items: s.received.slice(from) }));
      this.receivedMark = s.received.length;
    }
    if (s.optInRequests.length !== this.optInMark) {
      const from = s.optInRequests.length < this.optInMark ? 0 : this.optInMark;
      out.push(JSON.stringify({ k: 'optinRequests', from, items: s.optInRequests.slice(from) }));
      this.optInMark = s.optInRequests.length;
    }
    for (const id of this.outboxAdded) {
      const w = this.owedEvents.get(id);
      if (w) out.push(JSON.stringify({ k: 'wh', id, ...w }));
    }
    if (this.outboxDone.length > 0) out.push(JSON.stringify({ k: 'whDone', ids: this.outboxDone }));
    this.outboxAdded.length = 0;
    this.outboxDone.length = 0;
    if (out.length === 0) return;
    const text = `${out.join('\n')}\n`;
    writeSync(this.fd, text);
    this.journalBytes += Buffer.byteLength(text);
    if (this.journalBytes > COMPACT_AT_BYTES) this.compact();
  }

  /** Writes the whole state as a new snapshot (temp file, fsync, rename), then empties the journal. */
  compact(): void {
    if (this.fd === null) return;
    const s = this.state;
    const meta = this.metaRecord();
    const recs: unknown[] = [meta.rec];
    this.threadMarks.clear();
    for (const c of s.customers.values()) {
      const items = s.thread(c.psid);
      recs.push({ k: 'customer', c }, { k: 'thread', psid: c.psid, from: 0, items });
      this.threadMarks.set(c.psid, items.length);
    }
    recs.push({ k: 'login', s: s.login.snapshot() });
    for (const t of s.otnTokens.values()) recs.push({ k: 'otn', t });
    for (const t of s.recurringTokens.values()) recs.push({ k: 'nm', t });
    recs.push({ k: 'received', from: 0, items: s.received });
    recs.push({ k: 'optinRequests', from: 0, items: s.optInRequests });
    recs.push({ k: 'm2026', data: s.m2026 });
    s.m2026.marketingSends.forEach((send, i) => {
      recs.push({ k: 'mmSend', i, s: send });
    });
    for (const [id, w] of this.owedEvents) recs.push({ k: 'wh', id, ...w });
    const tmp = `${this.snapshotPath}.tmp`;
    writeFileSync(tmp, `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const tfd = openSync(tmp, 'r+');
    fsyncSync(tfd);
    closeSync(tfd);
    renameSync(tmp, this.snapshotPath);
    // A crash here replays the old journal over the new snapshot: harmless, records are idempotent.
    ftruncateSync(this.fd, 0);
    this.journalBytes = 0;
    this.lastMeta = meta.key;
    this.metaTouched = false;
    this.loginTouched = false;
    this.customers.clear();
    this.threads.clear();
    this.tokens.clear();
    this.m2026Touched = false;
    this.mmSends.clear();
    this.outboxAdded.length = 0;
    this.outboxDone.length = 0;
    this.receivedMark = s.received.length;
    this.optInMark = s.optInRequests.length;
  }

  close(): void {
    if (this.fd === null) return;
    if (this.doneTimer) clearTimeout(this.doneTimer);
    this.flush();
    this.compact();
    this.state.watchers.delete(this.watch);
    closeSync(this.fd);
    this.fd = null;
  }
}
