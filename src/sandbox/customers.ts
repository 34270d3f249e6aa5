// Simulated people on the other side of the page. Each action changes what Meta would know
// (last interaction, tokens, stops, blocks, reports) and sends the webhook Meta would send.
import { PROFILE_RULES, tokenFrequency } from '../domain/platform.ts';
import type { SandboxCore } from './core.ts';
import { otnExpiry, recurringExpiry } from './rules.ts';
import type { Touch } from './state.ts';
import type { MessagingEvent, OptInCard, RecurringToken, SimCustomer, ThreadItem } from './types.ts';

/** A refused sandbox (not Graph) call: answered as `{error: message}` with this HTTP status. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ActionResult {
  event?: MessagingEvent;
  mid?: string;
  token?: string;
  customer: CustomerView;
}

export interface CustomerView {
  psid: string;
  pageId: string;
  name: string;
  firstName: string;
  lastName: string;
  locale: string;
  gender: string;
  timezone: number;
  lastInteractionAt: string | null;
  blocked: boolean;
  mutedUntil: string | null;
  reports: number;
}

export function customerView(c: SimCustomer): CustomerView {
  return {
    psid: c.psid,
    pageId: c.pageId,
    name: c.name,
    firstName: c.firstName,
    lastName: c.lastName,
    locale: c.locale,
    gender: c.gender,
    timezone: c.timezone,
    lastInteractionAt: c.lastInteractionAt?.toISOString() ?? null,
    blocked: c.blocked,
    mutedUntil: c.mutedUntil?.toISOString() ?? null,
    reports: c.reports,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Which card `optinLatest` taps: `kind` is the product's word (recurring / otn) or the template type. */
export interface CardSelector {
  kind?: 'recurring' | 'otn';
  title?: string;
}

export const CARD_KINDS: Record<string, NonNullable<CardSelector['kind']>> = {
  recurring: 'recurring',
  notification_messages: 'recurring',
  otn: 'otn',
  one_time_notif_req: 'otn',
};

function cardMatches(card: OptInCard, sel: CardSelector): boolean {
  const kind = card.kind === 'notification_messages' ? 'recurring' : 'otn';
  return (!sel.kind || sel.kind === kind) && (sel.title === undefined || sel.title === card.title);
}

export class CustomerActions {
  constructor(private readonly core: SandboxCore) {}

  private get(psid: string): SimCustomer {
    const c = this.core.state.customer(psid);
    if (!c) throw new SandboxError(404, `no customer with psid ${psid}`);
    return c;
  }

  /** An own action of the person: refused while they block the page, and it opens the window. */
  private act(psid: string): { c: SimCustomer; now: Date } {
    const c = this.get(psid);
    if (c.blocked) throw new SandboxError(409, `customer ${psid} has blocked the page; unblock first`);
    const now = this.core.clock.now();
    c.lastInteractionAt = now;
    this.core.state.touch({ kind: 'customer', psid });
    return { c, now };
  }

  private emit(c: SimCustomer, now: Date, body: Record<string, unknown>): MessagingEvent {
    const event: MessagingEvent = {
      sender: { id: c.psid },
      recipient: { id: c.pageId },
      timestamp: now.getTime(),
      ...body,
    };
    this.core.webhooks.emit(c.pageId, event);
    return event;
  }

  private push(c: SimCustomer, item: Omit<ThreadItem, 'from' | 'at'>, now: Date): void {
    this.core.state.thread(c.psid).push({ from: 'customer', at: now.toISOString(), ...item });
    this.core.state.touch({ kind: 'customer', psid: c.psid });
  }

  message(psid: string, text: string): ActionResult {
    if (!text) throw new SandboxError(400, 'text is required');
    const { c, now } = this.act(psid);
    const mid = this.core.ids.mid();
    this.push(c, { mid, kind: 'text', text }, now);
    const event = this.emit(c, now, { message: { mid, text } });
    return { event, mid, customer: customerView(c) };
  }

  quickReply(psid: string, payload: string, text: string): ActionResult {
    if (!payload) throw new SandboxError(400, 'payload is required');
    const { c, now } = this.act(psid);
    const mid = this.core.ids.mid();
    this.push(c, { mid, kind: 'quick_reply', text, payload }, now);
    const event = this.emit(c, now, { message: { mid, text: text || payload, quick_reply: { payload } } });
    return { event, mid, customer: customerView(c) };
  }

  postback(psid: string, payload: string, title: string): ActionResult {
    if (!payload) throw new SandboxError(400, 'payload is required');
    const { c, now } = this.act(psid);
    const mid = this.core.ids.mid();
    this.push(c, { mid, kind: 'postback', text: title, payload }, now);
    const event = this.emit(c, now, { postback: { mid, title: title || payload, payload } });
    return { event, mid, customer: customerView(c) };
  }

  /** A reaction opens the window too (Meta, send-messages doc). */
  react(psid: string, messageId: string, reaction: string): ActionResult {
    const { c, now } = this.act(psid);
    const emoji = reaction === 'love' ? '\u2764\ufe0f' : '\ud83d\udc4d';
    const event = this.emit(c, now, { reaction: { mid: messageId, action: 'react', reaction, emoji } });
    return { event, customer: customerView(c) };
  }

  /** Tap the button of an opt-in card the page sent (R3, R7, R8). */
  optin(psid: string, messageId: string): ActionResult {
    const item = this.get(psid) && this.core.state.findThreadItem(psid, messageId);
    const card = item?.from === 'page' ? item.optInCard : undefined;
    if (!card) throw new SandboxError(404, `message ${messageId} is not an opt-in card in ${psid}'s thread`);
    const { c, now } = this.act(psid);
    card.taps += 1;
    this.core.state.touch({ kind: 'thread', psid });
    const mid = this.core.ids.mid();
    if (card.kind === 'one_time_notif_req') {
      // Every tap is a new permission: OTN tokens stack (R7d).
      const token = this.core.ids.token('otn_');
      this.core.state.otnTokens.set(token, {
        token,
        pageId: c.pageId,
        psid: c.psid,
        title: card.title,
        payload: card.payload,
        requestMid: messageId,
        createdAt: now,
        expiresAt: otnExpiry(now),
        usedAt: null,
      });
      this.core.state.touch({ kind: 'token', token });
      this.push(c, { mid, kind: 'optin', token, text: card.title, payload: card.payload }, now);
      const optin = { type: 'one_time_notif_req', payload: card.payload, one_time_notif_token: token };
      return { event: this.emit(c, now, { optin }), token, mid, customer: customerView(c) };
    }
    const tok = this.recurringOptIn(c, card, messageId, now);
    this.core.state.touch({ kind: 'token', token: tok.token });
    this.push(c, { mid, kind: 'optin', token: tok.token, text: card.title, payload: card.payload }, now);
    return {
      event: this.emit(c, now, { optin: this.optinBody(tok) }),
      token: tok.token,
      mid,
      customer: customerView(c),
    };
  }

  /**
   * Tap the newest card matching `sel`, so a script needs no message id. The page's answer comes a
   * moment after the customer's message (the product's worker), so this waits up to `waitMs` for one.
   */
  async optinLatest(psid: string, sel: CardSelector, waitMs: number): Promise<ActionResult> {
    this.get(psid);
    const state = this.core.state;
    const find = () =>
      state
        .thread(psid)
        .filter((i) => i.from === 'page' && i.optInCard && cardMatches(i.optInCard, sel))
        .at(-1);
    let item = find();
    if (!item && waitMs > 0) {
      item = await new Promise<ThreadItem | undefined>((resolve) => {
        const done = (found: ThreadItem | undefined) => {
          clearTimeout(timer);
          state.watchers.delete(watch);
          resolve(found);
        };
        const watch = (t: Touch) => {
          const found = t.kind === 'customer' && t.psid === psid ? find() : undefined;
          if (found) done(found);
        };
        const timer = setTimeout(() => done(undefined), waitMs);
        state.watchers.add(watch);
      });
    }
    if (!item) {
      const what = [sel.kind, sel.title && `"${sel.title}"`].filter(Boolean).join(' ');
      throw new SandboxError(404, `no ${what ? `${what} ` : ''}opt-in card in ${psid}'s thread`);
    }
    return this.optin(psid, item.mid);
  }

  /**
   * The same person + title (+ frequency) keeps one token while it is live: a re-tap re-activates
   * and (legacy) extends it. After expiry a new token is issued with `user_token_status: REFRESHED`.
   */
  private recurringOptIn(
    c: SimCustomer,
    card: Extract<OptInCard, { kind: 'notification_messages' }>,
    requestMid: string,
    now: Date,
  ): RecurringToken {
    const { title, payload, timezone, reoptin } = card;
    const page = this.core.state.page(c.pageId)!;
    const frequency = tokenFrequency(page.profile, card.frequency ?? 'DAILY');
    const expiresAt = recurringExpiry(page.profile, frequency, now);
    const legacy = PROFILE_RULES[page.profile].metaExpiry;
    const mine = this.core.state
      .recurringOf(c.psid)
      .filter((t) => t.title === title && t.frequency === frequency);
    const live = mine.find((t) => !t.expiresAt || t.expiresAt.getTime() > now.getTime());
    if (live) {
      Object.assign(live, {
        stoppedAt: null,
        updatedAt: now,
        expiresAt,
        payload,
        legacy,
        requestMid,
        reoptin,
      });
      live.userTokenStatus = 'NOT_REFRESHED';
      return live;
    }
    const tok: RecurringToken = {
      token: this.core.ids.token('nmt_'),
      seq: this.core.state.nextTokenSeq(),
      pageId: c.pageId,
      psid: c.psid,
      title,
      payload,
      requestMid,
      frequency,
      legacy,
      timezone,
      reoptin,
      createdAt: now,
      updatedAt: now,
      expiresAt,
      stoppedAt: null,
      lastSentAt: null,
      nextEligibleAt: null,
      userTokenStatus: mine.length > 0 ? 'REFRESHED' : 'NOT_REFRESHED',
    };
    this.core.state.recurringTokens.set(tok.token, tok);
    return tok;
  }

  private optinBody(tok: RecurringToken, status?: string): Record<string, unknown> {
    const optin: Record<string, unknown> = {
      type: 'notification_messages',
      payload: tok.payload,
      title: tok.title,
      notification_messages_token: tok.token,
      notification_messages_timezone: tok.timezone,
      user_token_status: tok.userTokenStatus,
    };
    if (tok.legacy) {
      if (tok.expiresAt) optin.token_expiry_timestamp = tok.expiresAt.getTime();
      optin.notification_messages_frequency = tok.frequency;
    }
    if (status) optin.notification_messages_status = status;
    return optin;
  }

  private recurringToken(c: SimCustomer, ref: { token?: string; title?: string }): RecurringToken {
    const tok = this.core.state
      .recurringOf(c.psid)
      .filter((t) => (ref.token ? t.token === ref.token : t.title === ref.title))
      .at(-1);
    if (!tok)
      throw new SandboxError(
        404,
        `customer ${c.psid} holds no recurring token ${ref.token ?? ref.title ?? ''}`,
      );
    return tok;
  }

  /** "Stop these messages" / "Resume these messages" on a recurring topic (R8c). Not an interaction. */
  stopOrResume(psid: string, ref: { token?: string; title?: string }, stop: boolean): ActionResult {
    const c = this.get(psid);
    const now = this.core.clock.now();
    const tok = this.recurringToken(c, ref);
    tok.stoppedAt = stop ? now : null;
    tok.updatedAt = now;
    this.core.state.touch({ kind: 'token', token: tok.token });
    this.push(
      c,
      { mid: this.core.ids.mid(), kind: stop ? 'stop' : 'resume', token: tok.token, text: tok.title },
      now,
    );
    const optin = this.optinBody(tok, stop ? 'STOP_NOTIFICATIONS' : 'RESUME_NOTIFICATIONS');
    return { event: this.emit(c, now, { optin }), token: tok.token, customer: customerView(c) };
  }

  /** Mute: no webhook (Meta tells the page nothing); later messages are marked muted. */
  mute(psid: string, hours: number): ActionResult {
    const c = this.get(psid);
    const now = this.core.clock.now();
    c.mutedUntil = hours > 0 ? new Date(now.getTime() + hours * 3_600_000) : null;
    this.core.state.touch({ kind: 'customer', psid });
    return { customer: customerView(c) };
  }

  /** "Something's wrong": no webhook; enough reports restrict the page (R8d). */
  report(psid: string): ActionResult & { pageRestricted: boolean; pageReports: number } {
    const c = this.get(psid);
    const page = this.core.state.page(c.pageId)!;
    c.reports += 1;
    page.reports += 1;
    if (page.reportThreshold > 0 && page.reports >= page.reportThreshold && !page.restricted) {
      page.restricted = true;
      page.restrictedReason = `reports reached ${page.reportThreshold}`;
    }
    this.push(c, { mid: this.core.ids.mid(), kind: 'report' }, this.core.clock.now());
    return { customer: customerView(c), pageRestricted: page.restricted, pageReports: page.reports };
  }

  read(psid: string): ActionResult {
    const c = this.get(psid);
    const now = this.core.clock.now();
    for (const i of this.core.state.thread(psid)) if (i.from === 'page') i.read = true;
    this.core.state.touch({ kind: 'thread', psid });
    const event = this.emit(c, now, { read: { watermark: now.getTime() } });
    return { event, customer: customerView(c) };
  }

  setBlocked(psid: string, blocked: boolean): ActionResult {
    const c = this.get(psid);
    c.blocked = blocked;
    this.core.state.touch({ kind: 'customer', psid });
    return { customer: customerView(c) };
  }

  thread(psid: string) {
    const c = this.get(psid);
    const s = this.core.state;
    const page = s.page(c.pageId)!;
    return {
      customer: customerView(c),
      page: { id: page.id, name: page.name },
      items: s.thread(psid),
      holdings: {
        oneTimeNotif: s.otnOf(psid).map((t) => ({
          token: t.token,
          title: t.title,
          payload: t.payload,
          requestMid: t.requestMid,
          createdAt: t.createdAt.toISOString(),
          expiresAt: t.expiresAt.toISOString(),
          usedAt: iso(t.usedAt),
        })),
        recurring: s.recurringOf(psid).map((t) => ({
          token: t.token,
          title: t.title,
          payload: t.payload,
          frequency: t.frequency,
          timezone: t.timezone,
          requestMid: t.requestMid,
          createdAt: t.createdAt.toISOString(),
          expiresAt: iso(t.expiresAt),
          stoppedAt: iso(t.stoppedAt),
          lastSentAt: iso(t.lastSentAt),
          nextEligibleAt: iso(t.nextEligibleAt),
          userTokenStatus: t.userTokenStatus,
        })),
      },
    };
  }
}
