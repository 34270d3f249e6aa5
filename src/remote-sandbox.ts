// A sandbox running as its own process (SANDBOX_URL), attached by runtime.ts at start.
import { ManualClock } from './clock.ts';
import { SandboxClient } from './sandbox/index.ts';

/**
 * A sandbox running as its own process (SANDBOX_URL): its page and secrets, and a clock that follows
 * the sandbox's, so "8 days later" still holds on both sides.
 */
export async function attachRemoteSandbox(url: string, webhookUrl: string | null) {
  const client = new SandboxClient(url);
  const info = await client.info();
  if (webhookUrl) await client.config({ webhookUrl });
  const clock = new ManualClock(await client.now());
  const follow = setInterval(
    () =>
      void client.now().then(
        (at) => clock.set(at),
        () => {}, // the sandbox restarting: keep the last offset until it answers again
      ),
    1000,
  );
  follow.unref();
  return { info, client, clock, stop: () => clearInterval(follow) };
}
