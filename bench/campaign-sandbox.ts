// The sandbox for bench:campaign, in its own process so that the bench's RSS is the dispatcher's.
// Seeds `--recipients` OTN tokens on the default page (the campaign's) and `--raw` on a second page
// (the raw ceiling's), rate limit lifted, then prints {"url": …} and serves until killed.
import { parseArgs } from 'node:util';
import { ManualClock } from '../src/clock.ts';
import { otnExpiry } from '../src/domain/platform.ts';
import { createSandbox, DEFAULT_PAGE, seededRandom } from '../src/sandbox/index.ts';
import { T0 } from '../test/crash/world.ts';

const { values } = parseArgs({ options: { recipients: { type: 'string' }, raw: { type: 'string' } } });
const clock = new ManualClock(T0, { frozen: true });
const sandbox = createSandbox({ clock, random: seededRandom(3), rateLimitPerSecond: 0 });
const raw = sandbox.addPage({ id: 'raw-page', accessToken: 'EAAsandbox-raw' });
raw.rateLimitPerSecond = 0;
const created = new Date(T0.getTime() - 86_400_000);
const seed = (pageId: string, prefix: string, n: number) => {
  for (let i = 0; i < n; i++) {
    const psid = `${prefix}psid-${i}`;
    sandbox.state.addCustomer(pageId, { psid, name: `Khach ${i}`, lastInteractionAt: created }, T0);
    const token = `${prefix}tok-${i}-0`;
    sandbox.state.otnTokens.set(token, {
      token,
      pageId,
      psid,
      title: 'Back in stock',
      payload: 'p',
      requestMid: 'm',
      createdAt: created,
      expiresAt: otnExpiry(created),
      usedAt: null,
    });
  }
};
seed(DEFAULT_PAGE.id, '', Number(values.recipients));
seed('raw-page', 'raw-', Number(values.raw));
const url = await sandbox.listen(0);
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
