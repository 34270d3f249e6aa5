import { describe, expect, it } from 'vitest';
import { optInShowsNotice, refusalShowsNotice } from './notice.ts';
import { REASON_TEXT, type ReasonCode } from './reasons.ts';

describe('R4f: when the notice text is shown', () => {
  it('R4f: an agent picking a topic already sent (R4b) or already subscribed (R4c) gets the notice', () => {
    expect(refusalShowsNotice('invitation_too_soon')).toBe(true);
    expect(refusalShowsNotice('already_subscribed')).toBe(true);
  });

  it('R4f: every other refusal shows only its own reason', () => {
    const others = (Object.keys(REASON_TEXT) as ReasonCode[]).filter(
      (r) => r !== 'invitation_too_soon' && r !== 'already_subscribed',
    );
    expect(others.length).toBeGreaterThan(5);
    for (const r of others) expect(refusalShowsNotice(r)).toBe(false);
  });

  it('R4f: an opt-in to a topic already held, or the same invitation accepted again, is answered with it', () => {
    expect(optInShowsNotice({ alreadyHeld: true, outcome: 'accepted' })).toBe(true);
    expect(optInShowsNotice({ alreadyHeld: false, outcome: 'accepted_again' })).toBe(true);
    expect(optInShowsNotice({ alreadyHeld: false, outcome: 'accepted' })).toBe(false);
    expect(optInShowsNotice({ alreadyHeld: false, outcome: 'accepted_stale' })).toBe(false);
  });
});
