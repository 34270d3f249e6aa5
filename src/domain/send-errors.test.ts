import { describe, expect, it } from 'vitest';
import {
  classifySendError,
  type GraphErrorBody,
  otnUnavailableAnswer,
  RETRYABLE,
  type SendErrorClass,
} from './send-errors.ts';

interface Row {
  id: string;
  line: string;
  err: GraphErrorBody | null | undefined;
  http?: number;
  want: SendErrorClass;
}

// One row per line of the platform.md error table (several rows where a line names several codes).
const rows: Row[] = [
  {
    id: 'R1c',
    line: '10/2018278 outside the allowed window',
    err: { code: 10, error_subcode: 2018278 },
    http: 400,
    want: 'outside_window',
  },
  {
    id: 'R8c',
    line: '10/1893015 user stopped notifications',
    err: { code: 10, error_subcode: 1893015 },
    http: 400,
    want: 'subscription_stopped',
  },
  {
    id: 'R8b',
    line: '4/2018354 token cooldown not over',
    err: { code: 4, error_subcode: 2018354 },
    http: 400,
    want: 'cooldown',
  },
  { id: 'R8a', line: '100 token invalid/expired', err: { code: 100 }, http: 400, want: 'token_invalid' },
  {
    id: 'R7a',
    line: '100 with another subcode is still a dead token',
    err: { code: 100, error_subcode: 33 },
    http: 400,
    want: 'token_invalid',
  },
  {
    id: 'R1d',
    line: '100/2018001 no matching user: the person, not the token',
    err: { code: 100, error_subcode: 2018001 },
    http: 400,
    want: 'customer_unreachable',
  },
  {
    id: 'R2c',
    line: '613/1893016 duplicate opt-in request',
    err: { code: 613, error_subcode: 1893016 },
    http: 400,
    want: 'duplicate_optin',
  },
  {
    id: 'R2c',
    line: '9/2018352 too many opt-in requests',
    err: { code: 9, error_subcode: 2018352 },
    http: 400,
    want: 'optin_limit',
  },
  {
    id: 'R11b',
    line: '10/1404170 page restricted',
    err: { code: 10, error_subcode: 1404170 },
    http: 400,
    want: 'page_restricted',
  },
  {
    id: 'R11b',
    line: '10/1893063 page restricted',
    err: { code: 10, error_subcode: 1893063 },
    http: 400,
    want: 'page_restricted',
  },
  { id: 'R1d', line: '551 person unavailable', err: { code: 551 }, http: 400, want: 'customer_unreachable' },
  {
    id: 'R1d',
    line: '200/1545041 person unavailable',
    err: { code: 200, error_subcode: 1545041 },
    http: 400,
    want: 'customer_unreachable',
  },
  {
    id: 'R1d',
    line: '10/2018108 blocked the page',
    err: { code: 10, error_subcode: 2018108 },
    http: 400,
    want: 'customer_unreachable',
  },
  { id: 'R9d', line: '4 rate limited', err: { code: 4 }, http: 400, want: 'rate_limited' },
  { id: 'R9d', line: '613 rate limited', err: { code: 613 }, http: 400, want: 'rate_limited' },
  { id: 'R9d', line: '32 rate limited', err: { code: 32 }, http: 400, want: 'rate_limited' },
  {
    id: 'R9d',
    line: 'HTTP 429 without a Graph body: rate limited',
    err: null,
    http: 429,
    want: 'rate_limited',
  },
  { id: 'R9d', line: '1200 transient', err: { code: 1200 }, http: 400, want: 'transient' },
  { id: 'R9d', line: '2 transient', err: { code: 2 }, http: 400, want: 'transient' },
  { id: 'R9d', line: '5xx without a body: transient', err: null, http: 502, want: 'transient' },
  { id: 'R9d', line: '5xx with an unlisted code: transient', err: { code: 1 }, http: 500, want: 'transient' },
  { id: 'R9d', line: 'timeout (no response at all): transient', err: undefined, want: 'transient' },
  { id: 'R11b', line: '190 page token invalid', err: { code: 190 }, http: 400, want: 'page_token_invalid' },
  {
    id: 'R11b',
    line: '190 with a subcode: page token invalid',
    err: { code: 190, error_subcode: 460 },
    http: 400,
    want: 'page_token_invalid',
  },
  { id: 'R9d', line: 'unlisted 4xx code: unknown, final', err: { code: 12345 }, http: 400, want: 'unknown' },
  {
    id: 'R9d',
    line: 'code 10 with an unlisted subcode: unknown, final',
    err: { code: 10, error_subcode: 42 },
    http: 400,
    want: 'unknown',
  },
  { id: 'R9d', line: 'HTTP 400 without a Graph body: unknown, final', err: null, http: 400, want: 'unknown' },
];

describe('classifySendError (platform.md error table)', () => {
  it.each(rows)('$id: $line → $want', ({ err, http, want }) => {
    expect(classifySendError(err, http)).toBe(want);
  });

  const classes: SendErrorClass[] = [
    'outside_window',
    'subscription_stopped',
    'cooldown',
    'token_invalid',
    'duplicate_optin',
    'optin_limit',
    'page_restricted',
    'customer_unreachable',
    'rate_limited',
    'transient',
    'page_token_invalid',
    'unknown',
  ];
  it.each(classes)('R9d: %s is retried only if it is transient or rate_limited', (c) => {
    expect(RETRYABLE.has(c)).toBe(c === 'transient' || c === 'rate_limited');
  });

  it('R9d: every class of the table is produced by some row (the table is complete)', () => {
    expect(new Set(rows.map((r) => r.want))).toEqual(new Set(classes));
  });
});

describe('R14 / R13 errors of the 2026 routes', () => {
  it.each([
    [2300000, 'marketing_campaign_inactive'],
    [2300001, 'marketing_campaign_invalid'],
    [2300002, 'marketing_campaign_inactive'],
    [2300003, 'marketing_not_ready'],
    [2300004, 'marketing_token_invalid'],
    [2300005, 'marketing_campaign_invalid'],
    [2300052, 'marketing_gap'],
    [132000, 'template_params_invalid'],
    [132001, 'template_not_sendable'],
    [132012, 'template_params_invalid'],
    [132015, 'template_not_sendable'],
    [132016, 'template_not_sendable'],
  ] as const)('R14c/R13b: %i is %s, whether Meta puts it in code or in error_subcode', (n, cls) => {
    expect(classifySendError({ code: n })).toBe(cls);
    expect(classifySendError({ code: 100, error_subcode: n })).toBe(cls);
    expect(classifySendError({ code: 10, error_subcode: n }, 400)).toBe(cls);
  });
  it('R14c: a 23000xx outside the published rows stays unknown (Meta cut the table off)', () => {
    expect(classifySendError({ code: 2300006 }, 400)).toBe('unknown');
  });
});

describe('R12f: Meta saying OTN is unavailable', () => {
  it('R12f: a bare permission refusal (10, no subcode) is the answer; 10 with a known subcode is not', () => {
    expect(otnUnavailableAnswer({ code: 10 })).toBe(true);
    expect(otnUnavailableAnswer({ code: 10, error_subcode: 2018278 })).toBe(false);
    expect(otnUnavailableAnswer({ code: 10, error_subcode: 1893015 })).toBe(false);
    expect(otnUnavailableAnswer({ code: 100 })).toBe(false);
  });
});
