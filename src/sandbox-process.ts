// `renotify sandbox` / `npm run sandbox`: the Graph API sandbox as its own process, its state kept in
// the data directory as `npm start` keeps it, so the service and any number of `renotify worker`
// processes can share it (SANDBOX_URL). `npm start` without SANDBOX_URL still runs it inside itself.
import { ManualClock } from './clock.ts';
import type { Config } from './config.ts';
import { createSandbox, type Sandbox } from './sandbox/index.ts';

export async function startSandboxProcess(config: Config): Promise<{ sandbox: Sandbox; url: string }> {
  const sandbox = createSandbox({
    clock: new ManualClock(),
    stateDir: config.dataDir,
    // Until a service attaches and names its own URL (runtime.ts), deliveries go where it would be.
    webhookUrl: `${config.publicUrl}/webhooks/messenger`,
  });
  const url = await sandbox.listen(config.sandboxPort, config.host);
  sandbox.flush();
  sandbox.redeliverWebhooks();
  return { sandbox, url };
}
