import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyLabelChange, WINDOW_STATES, windowRange } from './inbox.ts';
import { windowState } from './send-resolver.ts';

const HOUR = 3_600_000;
const now = new Date('2026-03-02T03:00:00Z');

function inRange(r: ReturnType<typeof windowRange>, last: Date | null): boolean {
  if (r.never) return last === null;
  if (last === null) return false;
  return (r.after === null || last > r.after) && (r.notAfter === null || last <= r.notAfter);
}

describe('inbox rules', () => {
  it('R1: window badge — each last interaction falls in exactly the range of its windowState', () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: -48 * HOUR, max: 400 * 24 * HOUR }), { nil: null }), (age) => {
        const last = age === null ? null : new Date(now.getTime() - age);
        const matching = WINDOW_STATES.filter((w) => inRange(windowRange(w, now), last));
        expect(matching).toEqual([windowState(last, now)]);
      }),
    );
    // the edges, exactly: 24 h is human agent, 7 days is closed
    for (const [age, w] of [
      [24 * HOUR - 1, 'open'],
      [24 * HOUR, 'human_agent'],
      [7 * 24 * HOUR - 1, 'human_agent'],
      [7 * 24 * HOUR, 'closed'],
    ] as const) {
      expect(
        WINDOW_STATES.filter((s) => inRange(windowRange(s, now), new Date(now.getTime() - age))),
      ).toEqual([w]);
    }
  });

  it.each([
    [
      'set trims and collapses spaces, drops case-duplicates',
      [],
      { op: 'set', labels: [' a  b ', 'A B', 'c'] },
      ['a b', 'c'],
    ],
    ['add keeps the first spelling', ['VIP'], { op: 'add', labels: ['vip', 'new'] }, ['VIP', 'new']],
    ['remove ignores case', ['VIP', 'x'], { op: 'remove', labels: ['vip'] }, ['x']],
    ['remove of an absent label is no change', ['x'], { op: 'remove', labels: ['y'] }, ['x']],
  ] as const)('labels: %s', (_what, current, change, expected) => {
    expect(applyLabelChange(current, { op: change.op, labels: [...change.labels] })).toEqual(expected);
  });

  it('labels: 1–40 characters (counted as characters, not bytes), at most 20', () => {
    expect(applyLabelChange([], { op: 'add', labels: ['ệ'.repeat(40)] })).toHaveLength(1);
    expect(() => applyLabelChange([], { op: 'add', labels: ['x'.repeat(41)] })).toThrow(/longer than 40/);
    expect(() => applyLabelChange([], { op: 'add', labels: [''] })).toThrow(/empty/);
    const twenty = Array.from({ length: 20 }, (_, i) => `l${i}`);
    expect(applyLabelChange([], { op: 'set', labels: twenty })).toHaveLength(20);
    expect(() => applyLabelChange(twenty, { op: 'add', labels: ['one more'] })).toThrow(/at most 20/);
    // removing under the limit always works, even from a set that is over it
    expect(applyLabelChange([...twenty, 'x'], { op: 'remove', labels: ['x'] })).toHaveLength(20);
  });
});
