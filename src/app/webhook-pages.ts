// The webhook intake's pages: which app secret signs a page's webhooks, the coalesced page lookup, a
// bounded cache of pages that can be written to, and the signature check against them.

import { verifySignature } from '../channel/index.ts';
import type { Executor } from '../storage/db.ts';
import type { IntakePage } from '../storage/pages.ts';
import * as pages from '../storage/pages.ts';
import type { PageRow } from '../storage/schema.ts';
import type { PageBelief } from '../storage/webhook-events.ts';

/**
 * The one place that says which app secret signs a page's webhooks. One Meta app per deployment: pages
 * connected through app/page-connections.ts store no secret and are verified with the deployment's
 * (FB_APP_SECRET / the sandbox's). A page stored with a secret of its own — the sandbox's demo pages
 * and pages from before issue 12 — keeps being verified with it, so existing data needs no migration;
 * the single-page shortcut reconnects its page at start, which clears it.
 */
export function webhookSecretFor(page: PageRow, configured: string | undefined): string | undefined {
  return page.app_secret ?? configured;
}

/**
 * Page lookups of concurrent deliveries, coalesced like the group commit: lookups asked for while one
 * query runs are answered together by the next, so a burst of cache misses costs one query per group.
 */
class PageLookup {
  private waiting: Array<{
    ids: string[];
    resolve(p: Map<string, IntakePage>): void;
    reject(e: unknown): void;
  }> = [];
  private running = false;

  constructor(private readonly db: Executor) {}

  find(ids: string[]): Promise<Map<string, IntakePage>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ids, resolve, reject });
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, 500);
        try {
          const ids = [...new Set(batch.flatMap((b) => b.ids))];
          const found = new Map((await pages.findPagesByFbIds(this.db, ids)).map((p) => [p.fb_page_id, p]));
          for (const b of batch) b.resolve(found);
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/** A page events may be stored for: connected (in any state but disconnected), workspace not suspended. */
export function writable(page: IntakePage | undefined): page is IntakePage {
  return !!page && page.connection_status !== 'disconnected' && !page.workspace_suspended_at;
}

/** What the guarded store checks of a page (storage/webhook-events.ts `storeEventsIfPages`). */
export function beliefOf(page: IntakePage): PageBelief {
  return {
    fbPageId: page.fb_page_id,
    pageId: page.id,
    workspaceId: page.workspace_id,
    secretCiphertext: page.secret_ciphertext,
  };
}

/**
 * The intake's pages: writable pages are kept in process (bounded, oldest dropped first), so a delivery
 * whose pages are all cached costs no lookup. The cache is never trusted alone: whatever is stored on
 * its word is stored by a statement that checks the same beliefs (else nothing is stored and the
 * delivery is checked again against `fresh`), and any refusal is decided on a fresh lookup.
 */
export class IntakePages {
  private readonly lookup: PageLookup;
  private readonly cache = new Map<string, IntakePage>();

  constructor(
    db: Executor,
    private readonly max = 10_000,
  ) {
    this.lookup = new PageLookup(db);
  }

  /** The named pages from the cache, or undefined unless every one is there. */
  cached(ids: string[]): Map<string, IntakePage> | undefined {
    if (ids.length === 0) return undefined;
    const out = new Map<string, IntakePage>();
    for (const id of ids) {
      const page = this.cache.get(id);
      if (!page) return undefined;
      out.set(id, page);
    }
    return out;
  }

  /** The named pages as stored now; the cache keeps the writable ones and forgets the rest. */
  async fresh(ids: string[]): Promise<Map<string, IntakePage>> {
    if (ids.length === 0) return new Map();
    const found = await this.lookup.find(ids);
    for (const id of ids) {
      const page = found.get(id);
      this.cache.delete(id);
      if (!writable(page)) continue;
      if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, page);
    }
    return found;
  }

  forget(ids: string[]): void {
    for (const id of ids) this.cache.delete(id);
  }

  get size(): number {
    return this.cache.size;
  }
}

export type Authenticated =
  | { ok: true; pages: Map<string, IntakePage> }
  | { ok: false; reason: 'signature' | 'unknown_page' };

/**
 * Is every named page connected (a disconnected page counts as unknown) and does the signature verify
 * under each one's app secret? A delivery that names no page must be signed by the deployment's app.
 */
export function authenticate(
  found: Map<string, IntakePage>,
  configured: string | undefined,
  raw: Buffer,
  signature: string,
  pageIds: string[],
): Authenticated {
  if (pageIds.length === 0)
    return configured && verifySignature(configured, raw, signature)
      ? { ok: true, pages: found }
      : { ok: false, reason: 'signature' };
  const verified = new Map<string, boolean>();
  for (const id of pageIds) {
    const page = found.get(id);
    if (!page || page.connection_status === 'disconnected') return { ok: false, reason: 'unknown_page' };
    const secret = webhookSecretFor(page, configured);
    if (!secret) return { ok: false, reason: 'signature' };
    if (!verified.has(secret)) verified.set(secret, verifySignature(secret, raw, signature));
    if (!verified.get(secret)) return { ok: false, reason: 'signature' };
  }
  return { ok: true, pages: found };
}
