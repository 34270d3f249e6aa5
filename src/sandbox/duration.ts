// "8d", "3h", "2mo", "1d12h" → a target instant. Months and years are calendar units (luxon), so
// "6mo" from 31 Aug lands on 28/29 Feb exactly as the product's validity rules compute it.
import { DateTime, type DurationLikeObject } from 'luxon';

const UNITS: Record<string, keyof DurationLikeObject> = {
  ms: 'milliseconds',
  s: 'seconds',
  m: 'minutes',
  h: 'hours',
  d: 'days',
  w: 'weeks',
  mo: 'months',
  y: 'years',
};

export function parseDuration(text: string): DurationLikeObject {
  const src = text.replace(/\s+/g, '');
  const re = /(-?\d+(?:\.\d+)?)(ms|mo|s|m|h|d|w|y)/gy;
  const out: DurationLikeObject = {};
  let m: RegExpExecArray | null = re.exec(src);
  let consumed = 0;
  while (m) {
    const unit = UNITS[m[2] as string] as keyof DurationLikeObject;
    out[unit] = (out[unit] ?? 0) + Number(m[1]);
    consumed = re.lastIndex;
    m = re.exec(src);
  }
  if (consumed === 0 || consumed !== src.length) {
    throw new Error(`cannot parse duration "${text}" (use e.g. 90s, 3h, 8d, 2w, 2mo, 1y, 1d12h)`);
  }
  return out;
}

export function addDuration(now: Date, text: string): Date {
  return DateTime.fromJSDate(now, { zone: 'utc' }).plus(parseDuration(text)).toJSDate();
}
