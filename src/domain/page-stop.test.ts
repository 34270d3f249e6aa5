// Issue 12 / R11b: why nothing goes out on a page — disconnected, reconnect needed (a dead token or a lost
// permission), or restricted by Meta — one row per case, read by the send resolver and the composer.
import { describe, expect, it } from 'vitest';
import type { PageState } from './model.ts';
import { pageStopReason } from './send-resolver.ts';

const page = (p: Partial<PageState>): PageState => ({
  id: 1,
  profile: '2026',
  timeZone: 'Asia/Ho_Chi_Minh',
  region: 'VN',
  optInFeatureEnabled: true,
  restrictedReason: null,
  ...p,
});

describe('pageStopReason (R11b, issue 12)', () => {
  it.each([
    ['connected, no restriction → sends', page({ connection: 'connected' }), null],
    ['no connection recorded (older rows) → sends', page({}), null],
    ['R11b restricted by Meta', page({ restrictedReason: 'page_restricted: 10/1893063' }), 'page_restricted'],
    [
      'needs reconnect (190 or a lost permission)',
      page({ connection: 'needs_reconnect', restrictedReason: 'page_token_invalid: (#190/460)' }),
      'page_needs_reconnect',
    ],
    [
      'disconnected by the owner',
      page({ connection: 'disconnected', restrictedReason: 'page_disconnected' }),
      'page_disconnected',
    ],
  ])('%s', (_name, p, reason) => {
    expect(pageStopReason(p)).toBe(reason);
  });
});
