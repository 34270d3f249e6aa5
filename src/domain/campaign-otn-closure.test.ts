// R12f in campaigns, the pure part: which answer closes OTN for a page, and that a closed page's OTN
// recipients are skipped (`otn_closed`) before any call, on 2026 pages only.
import { describe, expect, it } from 'vitest';
import { customer, page } from '../../test/support/domain-fixtures.ts';
import { ago, DAY, NOW, otnSub, otnTopic } from '../../test/support/resolver-fixtures.ts';
import { decideRecipient, otnClosure } from './campaign-delivery.ts';
import type { PageState } from './model.ts';

const UNAVAILABLE = { code: 10, message: '(#10) One-time notifications are not available for this Page' };

describe('R12f: OTN closed by Meta, in a campaign', () => {
  it("Meta's unavailable answer to an OTN-token send closes OTN on a 2026 page, with Meta's words", () => {
    expect(otnClosure(page({ profile: '2026' }), 'one_time', UNAVAILABLE)).toBe(UNAVAILABLE.message);
    expect(otnClosure(page({ profile: '2025' }), 'one_time', UNAVAILABLE)).toBeNull();
    expect(otnClosure(page({ profile: '2026' }), 'recurring', UNAVAILABLE)).toBeNull();
    expect(
      otnClosure(page({ profile: '2026' }), 'one_time', { ...UNAVAILABLE, subcode: 2018278 }),
    ).toBeNull();
    expect(otnClosure(page({ profile: '2026' }), 'one_time', null)).toBeNull();
  });

  const decide = (profile: PageState['profile'], otnClosed: boolean) =>
    decideRecipient({
      page: page({ profile, region: 'VN' }),
      customer: customer(ago(10 * DAY)),
      topic: otnTopic(),
      subscriptions: [otnSub()],
      allowDefer: false,
      now: NOW,
      otnClosed,
    });

  it('a closed 2026 page skips an OTN recipient as otn_closed; open, or before 2026, it sends', () => {
    expect(decide('2026', true)).toEqual({ action: 'skip', reason: 'otn_closed' });
    expect(decide('2026', false).action).toBe('send');
    expect(decide('2025', true).action).toBe('send');
  });
});
