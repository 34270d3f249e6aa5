// Once per test run, before any test file: build the console and the sandbox phone, so the browser
// suites (which run in parallel forks) never race each other building the same output.
import { existsSync } from 'node:fs';

export default async function setup(): Promise<void> {
  if (!existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) return;
  const { ensureWebBuilt } = await import('./browser/harness.ts');
  ensureWebBuilt();
}
