// Stand-alone sandbox: `npx tsx src/sandbox/run.ts [--port 3001] [--host 127.0.0.1]
//   [--webhook http://127.0.0.1:3000/webhooks/messenger] [--profile 2025] [--region VN] [--customers 3]`.
// The product's own `main.ts sandbox` mode may compose createSandbox() instead; this is for humans.
import { parseArgs } from 'node:util';
import { isProfile } from '../domain/platform.ts';
import { createSandbox } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3001' },
    host: { type: 'string', default: '127.0.0.1' },
    webhook: { type: 'string' },
    profile: { type: 'string' },
    region: { type: 'string' },
    customers: { type: 'string', default: '2' },
  },
});
const profile = values.profile && isProfile(values.profile) ? values.profile : undefined;
const sandbox = createSandbox({
  webhookUrl: values.webhook,
  page: { ...(profile ? { profile } : {}), ...(values.region ? { region: values.region } : {}) },
  customers: Array.from({ length: Number(values.customers) }, (_, i) => ({ name: `Customer ${i + 1}` })),
});
const url = await sandbox.listen(Number(values.port), values.host);
const info = sandbox.info();
process.stdout.write(
  `Graph API sandbox on ${url}  (graph: ${url}/${info.graphVersion}/me/messages, API: ${url}/sandbox/info)\n` +
    `page ${info.pageId} token ${info.pageAccessToken} app secret ${info.appSecret} verify token ${info.verifyToken}\n`,
);
const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
