// The sandbox started by the service runs the service's rules: PAGE_PROFILE and PAGE_REGION reach the
// sandbox's page, so the two sides can never disagree on what Meta allows (issue 14, item 4).
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { BACKENDS, openTestStorage } from '../support/backends.ts';

let rt: Runtime | null = null;
afterEach(async () => {
  await rt?.close();
  rt = null;
});

async function start(backend: (typeof BACKENDS)[number], env: Record<string, string>) {
  const storage = await openTestStorage(backend);
  rt = await startRuntime({
    config: { ...loadConfig(env), port: 0, sandboxPort: 0, host: '127.0.0.1' },
    storage,
    queueSchema: `pgboss_prof_${randomBytes(4).toString('hex')}`,
  });
  return rt;
}

describe.each(BACKENDS)('sandbox page profile (%s)', (backend) => {
  it('PAGE_PROFILE=2026 PAGE_REGION=fr: the sandbox page and the product page agree', async () => {
    const r = await start(backend, { PAGE_PROFILE: '2026', PAGE_REGION: 'fr' });
    const info = r.sandbox!.info();
    expect(info).toMatchObject({ profile: '2026', region: 'FR', timeZone: 'Asia/Ho_Chi_Minh' });
    expect(r.page).toMatchObject({ profile: '2026', region: 'FR' });
  });

  it('without the variables the sandbox keeps the source documents’ profile (legacy-2022, VN)', async () => {
    const r = await start(backend, {});
    expect(r.sandbox!.info()).toMatchObject({ profile: 'legacy-2022', region: 'VN' });
    expect(r.page).toMatchObject({ profile: 'legacy-2022', region: 'VN' });
  });
});
