// `npm start`: runs renotify — service + worker, and in sandbox mode (no page token configured) the
// Graph API sandbox and a demo workspace — and prints how to drive it.
import { loadConfig } from './config.ts';
import { startRuntime } from './runtime.ts';
import { DataDirLockedError } from './storage/data-dir-lock.ts';

const config = loadConfig();
// The sandbox keeps its phone (customers, threads, tokens, clock) beside the data, so a restart
// carries on where the database is.
const rt = await startRuntime({
  config,
  logger: process.env.LOG_REQUESTS === '1',
  sandbox: { stateDir: config.dataDir },
}).catch((e: unknown) => {
  if (!(e instanceof DataDirLockedError)) throw e;
  // Another process holds the embedded database: say so plainly and leave it alone.
  console.error(`renotify: ${e.message}`);
  process.exit(1);
});

const lines = [
  '',
  `renotify is running (${config.mode} mode, ${rt.storage.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})`,
  `  service          ${rt.url}`,
  `  API docs         ${rt.url}/api/docs`,
  `  health, metrics  ${rt.url}/healthz  ${rt.url}/metrics`,
  `  webhook          ${rt.url}/webhooks/messenger`,
];
if (rt.sandbox) {
  const info = rt.sandbox.info();
  const psid = info.customers[0]?.psid ?? '<psid>';
  lines.push(
    `  sandbox (Graph)  ${rt.sandboxUrl}   info: ${rt.sandboxUrl}/sandbox/info`,
    '',
    `  page id          ${info.pageId}`,
    `  page token       ${info.pageAccessToken}`,
    `  app secret       ${info.appSecret}`,
    `  verify token     ${info.verifyToken}`,
    `  profile          ${rt.page.profile} (${rt.page.time_zone})`,
    '',
    'Drive a customer (see docs/SANDBOX.md):',
    `  curl -s -XPOST ${rt.sandboxUrl}/sandbox/customers/${psid}/messages -H 'content-type: application/json' -d '{"text":"khuyến mãi"}'`,
    `  curl -s -XPOST ${rt.sandboxUrl}/sandbox/customers/${psid}/optin -H 'content-type: application/json' -d '{"latest":true,"kind":"recurring"}'`,
    `  curl -s ${rt.sandboxUrl}/sandbox/customers/${psid}/thread`,
    `  curl -s -XPOST ${rt.sandboxUrl}/sandbox/clock -H 'content-type: application/json' -d '{"advance":"8d"}'`,
    '',
    `Console: ${rt.url}/ — sign in with the owner account (printed on the first start only).`,
    `API: an owner creates keys in the console (Tài khoản & bảo mật) or with POST /api/api-keys, then`,
    `  curl -s -H "authorization: Bearer rk_…" ${rt.url}/api/pages/${rt.page.id}/topics`,
    `Sandbox phone (play the customer): ${rt.sandboxUrl}/phone`,
  );
}
if (rt.sandbox && !rt.sandbox.restored && !rt.firstOwner) {
  // A database from before the sandbox kept its state: the phone cannot know its customers.
  lines.push(
    '',
    `Note: the sandbox found no saved state in ${config.dataDir} but the database is not new, so the`,
    '  phone starts empty and replies to existing customers fail. Remove the data directory for a fresh demo.',
  );
}
if (rt.firstOwner) {
  lines.push(
    '',
    'Owner account of this workspace (shown once — change the password after signing in):',
    `  email     ${rt.firstOwner.email}`,
    `  password  ${rt.firstOwner.password}`,
  );
}
console.log(lines.join('\n'));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await rt.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
