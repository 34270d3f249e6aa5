// Issue 9, item 9: the public click redirect (GET /r/:token) answers 404 for every malformed or
// out-of-range token — an id beyond the column's range must not reach the database and answer 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.ts';
import { boot, call } from './harness.ts';

const SIG = 'AAAAAAAAAAAAAAAAAAAAAA';
const MALFORMED = [
  '99999999999999999999.1.0.x', // campaign id beyond int (was a 500)
  `2147483648.1.0.${SIG}`, // one past int
  `1.99999999999999999999.0.${SIG}`, // delivery id beyond bigint
  `1.9223372036854775808.0.${SIG}`, // one past bigint
  `1.9007199254740993.0.${SIG}`, // beyond what a JS number holds exactly
  `1.1.99999999999999999999.${SIG}`, // button index out of range
  `0.1.0.${SIG}`, // ids start at 1
  `-1.1.0.${SIG}`,
  `1.-1.0.${SIG}`,
  `1.1.0.${SIG}`, // well formed, forged signature
  '1.1.0', // no signature
  '1.1.0.',
  '1.1.0.x.y',
  'a.b.c.d',
  '1e3.1.0.x',
  '0x1.1.0.x',
  '1..0.x',
  '%00',
  '%20',
  encodeURIComponent('1.1.0.x\n'),
  encodeURIComponent('١.1.0.x'), // a non-ASCII digit
  'x'.repeat(99),
];

describe.each(BACKENDS)('the /r redirect on %s', (backend) => {
  let env: Awaited<ReturnType<typeof boot>>;
  beforeAll(async () => {
    env = await boot(backend);
  });
  afterAll(async () => env?.close());

  it.each(MALFORMED)(
    'trust: a malformed or out-of-range link token answers 404, not 500 (%s)',
    async (token) => {
      const res = await call(env.rt.url!, 'GET', `/r/${token}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toMatch(/not_found$/);
      expect(res.headers.location).toBeUndefined();
    },
  );
});
