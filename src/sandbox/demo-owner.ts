// The demo's Facebook user: "Chủ shop demo", who administers three pages of the sandbox — the primary
// page and two more (one on Meta's 2026 rules, region VN). `npm start` connects two of them to the demo
// workspace; the third is left to connect in the README tour through the Login dialog.
import type { Sandbox } from './server.ts';

export const DEMO_OWNER = { id: '100000000000001', name: 'Chủ shop demo' } as const;
export const DEMO_EXTRA_PAGES = [
  { id: '209876543210988', name: 'Sandbox Shop 2026', profile: '2026', region: 'VN' },
  { id: '309876543210989', name: 'Sandbox Shop Hà Nội', profile: '2026', region: 'VN' },
] as const;

/** Idempotent: a restored sandbox already has them. Returns the three page ids, primary first. */
export function seedDemoOwner(sb: Sandbox): string[] {
  const primary = sb.state.primary();
  for (const p of DEMO_EXTRA_PAGES) {
    if (!sb.state.pages.has(p.id)) sb.addPage({ ...p, appId: primary.appId, appSecret: primary.appSecret });
  }
  const pageIds = [primary.id, ...DEMO_EXTRA_PAGES.map((p) => p.id)];
  if (!sb.state.login.users.has(DEMO_OWNER.id)) {
    sb.state.login.addUser({ ...DEMO_OWNER, pages: pageIds.map((pageId) => ({ pageId })) });
    sb.state.touch({ kind: 'login' });
  }
  return pageIds;
}
