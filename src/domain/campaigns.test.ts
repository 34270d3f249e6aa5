import { describe, expect, it } from 'vitest';
import { classifyAnswer, ErrorWindow, MAX_DELIVERY_ATTEMPTS, mayResend } from './campaign-delivery.ts';
import {
  type CampaignLife,
  type CampaignStatus,
  parsePostbackPayload,
  personalise,
  postbackPayload,
  transition,
  validateCampaign,
} from './campaigns.ts';
import { isDomainError } from './errors.ts';

const NOW = new Date('2026-03-02T03:00:00Z');
const life = (status: CampaignStatus, over: Partial<CampaignLife> = {}): CampaignLife => ({
  status,
  scheduledAt: null,
  pauseReason: null,
  ...over,
});

describe('R9e: campaign life cycle', () => {
  const later = new Date(NOW.getTime() + 3_600_000);
  it.each([
    ['draft', { type: 'start' }, 'running'],
    ['draft', { type: 'start', at: later }, 'scheduled'],
    ['scheduled', { type: 'start' }, 'running'],
    ['running', { type: 'pause', reason: 'manual' }, 'paused'],
    ['paused', { type: 'resume' }, 'running'],
    ['running', { type: 'complete' }, 'completed'],
    ['draft', { type: 'cancel' }, 'cancelled'],
    ['scheduled', { type: 'cancel' }, 'cancelled'],
    ['running', { type: 'cancel' }, 'cancelled'],
    ['paused', { type: 'cancel' }, 'cancelled'],
  ] as const)('R9e: %s + %o → %s', (from, cmd, to) => {
    const t = transition(life(from), cmd, NOW);
    expect(t).toMatchObject({ ok: true, next: { status: to } });
  });

  it.each([
    ['running', { type: 'start' }],
    ['draft', { type: 'pause', reason: 'manual' }],
    ['paused', { type: 'pause', reason: 'manual' }],
    ['running', { type: 'resume' }],
    ['completed', { type: 'cancel' }],
    ['cancelled', { type: 'resume' }],
    ['paused', { type: 'complete' }],
    ['completed', { type: 'start' }],
  ] as const)('R9e: %s refuses %o', (from, cmd) => {
    expect(transition(life(from), cmd, NOW).ok).toBe(false);
  });

  it('R9e: a scheduled campaign becomes due only when the clock reaches it', () => {
    const s = life('scheduled', { scheduledAt: new Date(NOW.getTime() + 1000) });
    expect(transition(s, { type: 'due' }, NOW).ok).toBe(false);
    expect(transition(s, { type: 'due' }, new Date(NOW.getTime() + 1000))).toMatchObject({
      ok: true,
      next: { status: 'running' },
    });
  });

  it('R9e/R11b: an automatic pause keeps its reason; resume clears it', () => {
    const p = transition(life('running'), { type: 'pause', reason: 'page_restricted' }, NOW);
    expect(p).toMatchObject({ ok: true, next: { status: 'paused', pauseReason: 'page_restricted' } });
    if (!p.ok) return;
    expect(transition(p.next, { type: 'resume' }, NOW)).toMatchObject({ next: { pauseReason: null } });
  });
});

describe('R9b: content and personalisation', () => {
  const base = { name: 'Sale', audience: {}, allowDefer: false };
  const refuses = (content: unknown) => {
    try {
      validateCampaign({ ...base, content } as never);
      return null;
    } catch (e) {
      return isDomainError(e, 'invalid_campaign') || isDomainError(e, 'blank_text')
        ? e.details?.field
        : 'other';
    }
  };
  it('R9b: text, text with 1–3 buttons, or one image; nothing else', () => {
    expect(refuses({ type: 'text', text: 'Hi {{first_name}}' })).toBeNull();
    expect(refuses({ type: 'image', url: 'https://x.test/a.png' })).toBeNull();
    expect(
      refuses({ type: 'buttons', text: 'Hi', buttons: [{ type: 'postback', title: 'Yes' }] }),
    ).toBeNull();
    expect(refuses({ type: 'text', text: '' })).toBe('content.text');
    expect(refuses({ type: 'text', text: 'x'.repeat(2001) })).toBe('content.text');
    expect(refuses({ type: 'text', text: 'Hi {{email}}' })).toBe('content.text');
    expect(refuses({ type: 'buttons', text: 'Hi', buttons: [] })).toBe('content.buttons');
    const four = Array.from({ length: 4 }, () => ({ type: 'postback', title: 'A' }));
    expect(refuses({ type: 'buttons', text: 'Hi', buttons: four })).toBe('content.buttons');
    expect(
      refuses({ type: 'buttons', text: 'Hi', buttons: [{ type: 'url', title: 'A', url: 'javascript:1' }] }),
    ).toBe('content.buttons');
    expect(refuses({ type: 'image', url: 'not a url' })).toBe('content.url');
    expect(refuses({ type: 'video', url: 'https://x.test' })).toBe('content.type');
  });

  it('R9b: {{first_name}}, {{last_name}}, {{name}} with fallbacks', () => {
    const who = { firstName: 'An', lastName: 'Nguyen', name: 'Nguyen An' };
    expect(personalise('Chào {{first_name}}!', who)).toBe('Chào An!');
    expect(personalise('{{name}} / {{ last_name }}', who)).toBe('Nguyen An / Nguyen');
    const nobody = { firstName: null, lastName: null, name: null };
    expect(personalise('Chào {{first_name|bạn}}!', nobody)).toBe('Chào bạn!');
    expect(personalise('Chào {{first_name}}, sale!', nobody)).toBe('Chào, sale!');
    expect(personalise('Hi {{first_name}}', { firstName: null, lastName: null, name: 'Binh Tran' })).toBe(
      'Hi Binh',
    );
  });

  it('R10a: postback payloads name the campaign and the button', () => {
    expect(parsePostbackPayload(postbackPayload(42, 2))).toEqual({ campaignId: 42, button: 2 });
    expect(parsePostbackPayload('something else')).toBeNull();
  });
});

describe('R9d: what an answer means for a recipient (at most once)', () => {
  const fail = (cls: string) => ({ ok: false as const, class: cls as never, message: 'x' });
  it('R9d: first try — sent, or the class decides; a lost answer is resent later on the same token', () => {
    expect(
      classifyAnswer({
        result: { ok: true, messageId: 'm' },
        tokenKind: 'one_time',
        priorAttempts: 0,
        attemptsNow: 1,
      }),
    ).toMatchObject({ status: 'sent', messageId: 'm' });
    expect(
      classifyAnswer({ result: fail('transient'), tokenKind: 'one_time', priorAttempts: 0, attemptsNow: 4 }),
    ).toMatchObject({ status: 'retry' });
    expect(
      classifyAnswer({
        result: fail('token_invalid'),
        tokenKind: 'one_time',
        priorAttempts: 0,
        attemptsNow: 1,
      }),
    ).toMatchObject({ status: 'failed', reason: 'token_invalid' });
    expect(
      classifyAnswer({
        result: fail('customer_unreachable'),
        tokenKind: 'recurring',
        priorAttempts: 0,
        attemptsNow: 1,
      }),
    ).toMatchObject({ status: 'failed', release: true });
    expect(
      classifyAnswer({
        result: fail('subscription_stopped'),
        tokenKind: 'recurring',
        priorAttempts: 0,
        attemptsNow: 1,
      }),
    ).toMatchObject({ status: 'skipped', effect: 'stopped' });
    expect(
      classifyAnswer({
        result: fail('page_restricted'),
        tokenKind: 'recurring',
        priorAttempts: 0,
        attemptsNow: 1,
      }),
    ).toMatchObject({ status: 'requeue', pause: 'page_restricted' });
  });

  it('R9d/R7a: after a lost answer, "token already used" / "cooldown" confirms the earlier delivery', () => {
    expect(
      classifyAnswer({
        result: fail('token_invalid'),
        tokenKind: 'one_time',
        priorAttempts: 1,
        attemptsNow: 1,
      }),
    ).toMatchObject({ status: 'sent', confirmedByToken: true });
    expect(
      classifyAnswer({ result: fail('cooldown'), tokenKind: 'recurring', priorAttempts: 0, attemptsNow: 2 }),
    ).toMatchObject({ status: 'sent', confirmedByToken: true });
    // A recurring token's "invalid" is not a dedup signal.
    expect(
      classifyAnswer({
        result: fail('token_invalid'),
        tokenKind: 'recurring',
        priorAttempts: 1,
        attemptsNow: 1,
      }),
    ).toMatchObject({ status: 'failed' });
  });

  it('R9d: resend only while the token still deduplicates; else failed/uncertain', () => {
    const exp = new Date(NOW.getTime() + 86_400_000);
    const periodEnd = new Date(NOW.getTime() + 3_600_000);
    expect(mayResend({ tokenKind: 'one_time', attempts: 1, expiresAt: exp, tokenPeriodEnd: null }, NOW)).toBe(
      true,
    );
    expect(
      mayResend(
        { tokenKind: 'one_time', attempts: MAX_DELIVERY_ATTEMPTS, expiresAt: exp, tokenPeriodEnd: null },
        NOW,
      ),
    ).toBe(false);
    expect(
      mayResend({ tokenKind: 'recurring', attempts: 1, expiresAt: exp, tokenPeriodEnd: periodEnd }, NOW),
    ).toBe(true);
    expect(
      mayResend(
        { tokenKind: 'recurring', attempts: 1, expiresAt: exp, tokenPeriodEnd: periodEnd },
        periodEnd,
      ),
    ).toBe(false);
    expect(
      mayResend({ tokenKind: 'recurring', attempts: 1, expiresAt: exp, tokenPeriodEnd: null }, NOW),
    ).toBe(false);
  });

  it('R9e: more than 20% errors in the last answers trips the window; blocked customers do not count', () => {
    const w = new ErrorWindow(100, 50, 0.2);
    for (let i = 0; i < 60; i++)
      w.record({ status: 'failed', reason: 'customer_unreachable', release: true });
    expect(w.tripped()).toBe(false);
    for (let i = 0; i < 40; i++) w.record({ status: 'retry', reason: 'transient' });
    expect(w.tripped()).toBe(true);
  });
});
