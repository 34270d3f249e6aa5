import { describe, expect, it } from 'vitest';
import { CUSTOMER_EVENT_KINDS, type CustomerEventKind, countsAsInteraction } from './interactions.ts';

// One row per event kind (rules.md, Words: "last interaction"), each named by its rule.
const ROWS: { rule: string; kind: CustomerEventKind; counts: boolean }[] = [
  { kind: 'message', counts: true, rule: "R1: a customer's text or attachment moves the last interaction" },
  { kind: 'quick_reply', counts: true, rule: 'R1: a quick reply moves the last interaction' },
  { kind: 'postback', counts: true, rule: 'R1: a postback (button tap) moves the last interaction' },
  { kind: 'reaction', counts: true, rule: 'R1: a reaction moves the last interaction' },
  { kind: 'optin', counts: true, rule: 'R1: accepting an opt-in card moves the last interaction' },
  {
    kind: 'stop_notifications',
    counts: false,
    rule: 'R1: a STOP_NOTIFICATIONS opt-in event does not move the last interaction',
  },
  {
    kind: 'resume_notifications',
    counts: false,
    rule: 'R1: a RESUME_NOTIFICATIONS opt-in event does not move the last interaction',
  },
  { kind: 'mute', counts: false, rule: 'R1/R8d: muting the conversation does not move the last interaction' },
  {
    kind: 'report',
    counts: false,
    rule: 'R1/R8d: a "Something\'s wrong" report does not move the last interaction',
  },
  { kind: 'read', counts: false, rule: 'R1: a read receipt does not move the last interaction' },
  { kind: 'delivery', counts: false, rule: 'R1: a delivery receipt does not move the last interaction' },
  {
    kind: 'echo',
    counts: false,
    rule: "R1: an echo of the page's own message does not move the last interaction",
  },
];

describe('last interaction: which customer events count', () => {
  it.each(ROWS)('$rule', ({ kind, counts }) => {
    expect(countsAsInteraction(kind)).toBe(counts);
  });

  it('every event kind the domain knows has exactly one row here', () => {
    expect(ROWS.map((r) => r.kind).sort()).toEqual([...CUSTOMER_EVENT_KINDS].sort());
  });
});
