// The agent's inbox: which last-interaction times fall in each R1 window (so storage can filter by a
// window without restating the thresholds), and the rules for labels on customers. [D]
import { DomainError } from './errors.ts';
import { WINDOW_7D_MS, WINDOW_24H_MS, type WindowState } from './send-resolver.ts';

export const WINDOW_STATES: readonly WindowState[] = ['open', 'human_agent', 'closed', 'none'];

/**
 * The last-interaction times of a window state at `now`, as `after < lastInteractionAt ≤ notAfter`
 * (either bound may be open); `never` means "never interacted". Mirrors windowState(): age < 24 h
 * open, 24 h ≤ age < 7 d human agent, age ≥ 7 d closed.
 */
export function windowRange(
  state: WindowState,
  now: Date,
): { never: true } | { never: false; after: Date | null; notAfter: Date | null } {
  const t = now.getTime();
  switch (state) {
    case 'none':
      return { never: true };
    case 'open':
      return { never: false, after: new Date(t - WINDOW_24H_MS), notAfter: null };
    case 'human_agent':
      return { never: false, after: new Date(t - WINDOW_7D_MS), notAfter: new Date(t - WINDOW_24H_MS) };
    case 'closed':
      return { never: false, after: null, notAfter: new Date(t - WINDOW_7D_MS) };
  }
}

export const LABEL_LIMITS = { minLength: 1, maxLength: 40, perCustomer: 20 } as const;

/** A label as stored: trimmed, inner whitespace collapsed; refused when empty or longer than 40. */
export function normalizeLabel(raw: string): string {
  const label = raw.trim().replace(/\s+/g, ' ');
  if (label.length < LABEL_LIMITS.minLength)
    throw new DomainError('validation_failed', 'A label must not be empty.', { field: 'labels' });
  if ([...label].length > LABEL_LIMITS.maxLength) {
    throw new DomainError(
      'validation_failed',
      `The label "${label.slice(0, 50)}" is longer than ${LABEL_LIMITS.maxLength} characters.`,
      { field: 'labels', label },
    );
  }
  return label;
}

export type LabelChange = { op: 'set' | 'add' | 'remove'; labels: readonly string[] };

/**
 * Applies a change to a customer's labels. Labels compare case-insensitively (the first spelling
 * stays), so "VIP" and "vip" are one label; more than 20 after the change is refused as a whole.
 */
export function applyLabelChange(current: readonly string[], change: LabelChange): string[] {
  const given = change.labels.map(normalizeLabel);
  const key = (l: string) => l.toLocaleLowerCase();
  let next: string[];
  if (change.op === 'remove') {
    const drop = new Set(given.map(key));
    next = current.filter((l) => !drop.has(key(l)));
  } else {
    next = [];
    const seen = new Set<string>();
    for (const l of change.op === 'set' ? given : [...current, ...given]) {
      if (seen.has(key(l))) continue;
      seen.add(key(l));
      next.push(l);
    }
  }
  if (next.length > LABEL_LIMITS.perCustomer) {
    throw new DomainError(
      'validation_failed',
      `A customer can carry at most ${LABEL_LIMITS.perCustomer} labels (this change would give ${next.length}).`,
      { field: 'labels', count: next.length },
    );
  }
  return next;
}

/**
 * Search text folded as the customers.search_text column folds it (migration 012): no accents, đ → d,
 * lower case — "Trần Văn" and "tran van" meet. Keep the two in step.
 */
export function foldForSearch(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}
