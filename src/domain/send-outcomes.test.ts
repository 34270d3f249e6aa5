// The send-outcome table, row by row of platform.md's error table × kind of send: Meta's wire error is
// classified (send-errors.ts) and the outcome is what the single-send path and the campaign persist.
import { describe, expect, it } from 'vitest';
import { classifySendError, type GraphErrorBody } from './send-errors.ts';
import {
  BACKOFF,
  OUTCOMES,
  SEND_KINDS,
  type SendKind,
  type SendOutcome,
  sendOutcome,
} from './send-outcomes.ts';
import { invitationResendAfter, sameTitleUntil } from './topic-lists.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const base: SendOutcome = {
  status: 'failed',
  reason: null,
  confirmedByToken: false,
  token: 'none',
  subscription: null,
  customerUnreachable: false,
  optInBackoffMs: null,
  invitation: null,
  page: null,
};
const o = (p: Partial<SendOutcome>): SendOutcome => ({ ...base, ...p });

interface Row {
  rule: string;
  wire: string;
  /** Every code/subcode (or bare HTTP status) platform.md puts on the row. */
  errors: Array<{ err: GraphErrorBody | null; http?: number }>;
  expect: Record<SendKind, SendOutcome>;
}

/** Same effect on every kind; a notification gives its claimed token back. */
function released(reason: string, extra: Partial<SendOutcome>, campaign: Partial<SendOutcome>) {
  return {
    reply: o({ reason, ...extra }),
    invitation: o({ reason, ...extra }),
    notification: o({ reason, token: 'release', ...extra }),
    campaign: o({ reason, ...campaign }),
  };
}

const ROWS: Row[] = [
  {
    rule: 'R1',
    wire: '10/2018278 outside the allowed window: refused, never retried',
    errors: [{ err: { code: 10, error_subcode: 2018278 } }],
    expect: released('outside_window', {}, { token: 'release' }),
  },
  {
    rule: 'R8c',
    wire: '10/1893015 the customer stopped the topic: subscription stopped',
    errors: [{ err: { code: 10, error_subcode: 1893015 } }],
    expect: released(
      'subscription_stopped',
      { subscription: 'stopped' },
      { status: 'skipped', token: 'release', subscription: 'stopped' },
    ),
  },
  {
    rule: 'R8b',
    wire: '4/2018354 token cooldown: the token goes back to its next eligible time',
    errors: [{ err: { code: 4, error_subcode: 2018354 } }],
    expect: released('cooldown', {}, { status: 'skipped', token: 'release' }),
  },
  {
    rule: 'R7a',
    wire: '100 token invalid / used: the token is dead, it expires now',
    errors: [{ err: { code: 100 } }, { err: { code: 100, error_subcode: 33 } }],
    expect: {
      reply: o({ reason: 'token_invalid' }),
      invitation: o({ reason: 'token_invalid' }),
      notification: o({ reason: 'token_invalid', token: 'keep', subscription: 'expired' }),
      campaign: o({ reason: 'token_invalid', token: 'keep', subscription: 'expired' }),
    },
  },
  {
    rule: 'R4b',
    wire: '613/1893016 duplicate opt-in: the invitation is recorded refused (still counts as sent)',
    errors: [{ err: { code: 613, error_subcode: 1893016 } }],
    expect: {
      ...released('duplicate_optin', {}, { token: 'keep' }),
      invitation: o({ reason: 'duplicate_optin', invitation: 'refused' }),
    },
  },
  {
    rule: 'R2',
    wire: '9/2018352 too many opt-in requests: invitations to that customer back off',
    errors: [{ err: { code: 9, error_subcode: 2018352 } }],
    expect: {
      ...released('optin_limit', {}, { token: 'keep' }),
      invitation: o({ reason: 'optin_limit', optInBackoffMs: DAY }),
    },
  },
  {
    rule: 'R11b',
    wire: '10/1404170, 10/1893063 page restricted: the page stops, the campaign pauses',
    errors: [{ err: { code: 10, error_subcode: 1404170 } }, { err: { code: 10, error_subcode: 1893063 } }],
    expect: released(
      'page_restricted',
      { page: 'page_restricted' },
      { status: 'requeue', token: 'release', page: 'page_restricted' },
    ),
  },
  {
    rule: 'R9c',
    wire: '551, 200/1545041, 10/2018108 person unavailable / blocked the page: customer unreachable',
    errors: [
      { err: { code: 551 } },
      { err: { code: 200, error_subcode: 1545041 } },
      { err: { code: 10, error_subcode: 2018108 } },
    ],
    expect: released(
      'customer_unreachable',
      { customerUnreachable: true },
      { token: 'release', customerUnreachable: true },
    ),
  },
  {
    rule: 'R9d',
    wire: '4, 613, 32 rate limited: the campaign retries later on the same token',
    errors: [{ err: { code: 4 } }, { err: { code: 613 } }, { err: { code: 32 } }, { err: null, http: 429 }],
    expect: {
      reply: o({ reason: 'rate_limited' }),
      invitation: o({ reason: 'rate_limited' }),
      // The client's retries are spent and Meta may have delivered: at most once, keep the token.
      notification: o({ reason: 'rate_limited', token: 'keep' }),
      campaign: o({ status: 'retry', reason: 'rate_limited', token: 'keep' }),
    },
  },
  {
    rule: 'R9d',
    wire: '1200, 2, 5xx, timeouts transient: the campaign retries later on the same token',
    errors: [
      { err: { code: 1200 } },
      { err: { code: 2 } },
      { err: null, http: 503 },
      { err: null }, // a timeout: no answer at all
    ],
    expect: {
      reply: o({ reason: 'transient' }),
      invitation: o({ reason: 'transient' }),
      notification: o({ reason: 'transient', token: 'keep' }),
      campaign: o({ status: 'retry', reason: 'transient', token: 'keep' }),
    },
  },
  {
    rule: 'R11b',
    wire: '190 page token invalid: the page stops and is asked to reconnect',
    errors: [{ err: { code: 190 } }],
    expect: released(
      'page_token_invalid',
      { page: 'page_token_invalid' },
      { status: 'requeue', token: 'release', page: 'page_token_invalid' },
    ),
  },
];

describe('send outcomes: platform.md error table × kind of send', () => {
  for (const row of ROWS) {
    for (const kind of SEND_KINDS) {
      it(`${row.rule}: ${row.wire} — ${kind}`, () => {
        for (const { err, http } of row.errors) {
          const cls = classifySendError(err, http);
          expect(sendOutcome({ kind, answer: { ok: false, class: cls } })).toEqual(row.expect[kind]);
        }
      });
    }
  }

  it('every error class has a row for every kind (no answer falls through)', () => {
    for (const rows of Object.values(OUTCOMES))
      expect(Object.keys(rows).sort()).toEqual([...SEND_KINDS].sort());
  });

  it('R9d: an error outside the table fails the message; a campaign keeps the token used', () => {
    const cls = classifySendError({ code: 12345 }, 400);
    expect(sendOutcome({ kind: 'notification', answer: { ok: false, class: cls } })).toEqual(
      o({ reason: 'unknown', token: 'release' }),
    );
    expect(sendOutcome({ kind: 'campaign', answer: { ok: false, class: cls } })).toEqual(
      o({ reason: 'unknown', token: 'keep' }),
    );
  });

  it('R7a/R3c: a sent notification or campaign message consumes its token; an invitation is recorded sent', () => {
    expect(sendOutcome({ kind: 'reply', answer: { ok: true } })).toEqual(o({ status: 'sent' }));
    expect(sendOutcome({ kind: 'invitation', answer: { ok: true } })).toEqual(
      o({ status: 'sent', invitation: 'sent' }),
    );
    for (const kind of ['notification', 'campaign'] as const) {
      expect(sendOutcome({ kind, answer: { ok: true } })).toEqual(o({ status: 'sent', token: 'consume' }));
    }
  });

  it('R9d: after a call that may have delivered, the token refusing a second message confirms it', () => {
    const campaign = (cls: 'token_invalid' | 'cooldown', tokenKind: 'one_time' | 'recurring') =>
      sendOutcome({ kind: 'campaign', answer: { ok: false, class: cls }, tokenKind, maybeDelivered: true });
    const confirmed = o({ status: 'sent', confirmedByToken: true, token: 'consume' });
    expect(campaign('token_invalid', 'one_time')).toEqual(confirmed);
    expect(campaign('cooldown', 'recurring')).toEqual(confirmed);
    expect(campaign('token_invalid', 'recurring')).toMatchObject({
      status: 'failed',
      subscription: 'expired',
    });
    // A single notification does not read it so: the client's own retries are not a claim of ours.
    expect(
      sendOutcome({
        kind: 'notification',
        answer: { ok: false, class: 'token_invalid' },
        tokenKind: 'one_time',
        maybeDelivered: true,
      }),
    ).toMatchObject({ status: 'failed', subscription: 'expired' });
  });

  it('R11b/R9d: a refusing page requeues; the token goes back only if no earlier call may have delivered', () => {
    const answer = { ok: false as const, class: 'page_restricted' as const };
    expect(sendOutcome({ kind: 'campaign', answer, maybeDelivered: false }).token).toBe('release');
    expect(sendOutcome({ kind: 'campaign', answer, maybeDelivered: true }).token).toBe('keep');
  });

  it('R4b/R2c: the resend delay and the same-title limit are separate rules, both 7 days today', () => {
    const sentAt = new Date('2026-01-01T00:00:00Z');
    expect(BACKOFF.invitationResendMs).toBe(7 * DAY);
    expect(BACKOFF.sameTitleOptInMs).toBe(7 * DAY);
    expect(invitationResendAfter(sentAt)).toEqual(new Date(sentAt.getTime() + 7 * DAY));
    expect(sameTitleUntil(sentAt)).toEqual(new Date(sentAt.getTime() + 7 * DAY));
    expect(BACKOFF.optInLimitMs).toBe(DAY);
  });
});

describe('R14 / R13 outcomes of the 2026 routes', () => {
  const out = (cls: Parameters<typeof sendOutcome>[0]['answer'] & { ok: false }, kind: SendKind) =>
    sendOutcome({ kind, answer: cls });
  it('R14c: 2300052 (min gap) skips a campaign recipient and gives the token back; nothing stops', () => {
    expect(out({ ok: false, class: 'marketing_gap' }, 'campaign')).toEqual(
      o({ status: 'skipped', reason: 'marketing_gap', token: 'release' }),
    );
  });
  it('R14: 2300003 (campaign too new) is retried later on the same claim', () => {
    expect(out({ ok: false, class: 'marketing_not_ready' }, 'campaign')).toMatchObject({
      status: 'retry',
      token: 'keep',
    });
    expect(out({ ok: false, class: 'marketing_not_ready' }, 'notification')).toMatchObject({
      status: 'failed',
      token: 'release',
    });
  });
  it('R14b: 2300004 (dead marketing token) expires the subscription, like a dead notification token', () => {
    expect(out({ ok: false, class: 'marketing_token_invalid' }, 'campaign')).toMatchObject({
      status: 'failed',
      subscription: 'expired',
      token: 'keep',
    });
  });
  it.each([
    'marketing_campaign_inactive',
    'marketing_campaign_invalid',
    'template_not_sendable',
    'template_params_invalid',
  ] as const)('R14/R13b: %s fails the message, releases a claimed token and changes nothing else', (cls) => {
    for (const kind of SEND_KINDS) {
      const r = out({ ok: false, class: cls }, kind);
      expect(r).toMatchObject({
        status: 'failed',
        reason: cls,
        subscription: null,
        page: null,
        customerUnreachable: false,
      });
      if (kind === 'notification' || kind === 'campaign') expect(r.token).toBe('release');
    }
  });
  it('every error class has a row for every kind of send', () => {
    for (const cls of Object.keys(OUTCOMES))
      for (const kind of SEND_KINDS) expect(OUTCOMES[cls as keyof typeof OUTCOMES][kind]).toBeDefined();
  });
});
