// `renotify status` and `campaign status`: the service's health and running campaigns, or one
// campaign's progress — with --watch, a live progress bar and ETA until the run settles (R9e).
import cliProgress from 'cli-progress';
import type { ApiClient } from './client.ts';

export interface CampaignView {
  id: number;
  name: string;
  status: 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
  pauseReason: string | null;
  targeted: number;
  sent: number;
  failed: number;
  skipped: number;
  scheduledAt: string | null;
  progress?: { counts?: Record<string, number>; reasons?: Record<string, number> };
}

export interface Printer {
  json: boolean;
  line(text: string): void;
  data(value: unknown): void;
}

/** Statuses after which nothing moves on its own: watching them would wait forever. */
const SETTLED = new Set(['draft', 'paused', 'completed', 'cancelled']);

function done(c: CampaignView): number {
  const n = c.progress?.counts;
  return n ? (n.sent ?? 0) + (n.failed ?? 0) + (n.skipped ?? 0) : c.sent + c.failed + c.skipped;
}

export function describeCampaign(c: CampaignView): string {
  const reasons = Object.entries(c.progress?.reasons ?? {})
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    `campaign ${c.id} "${c.name}": ${c.status}${c.pauseReason ? ` (${c.pauseReason})` : ''}`,
    `  targeted ${c.targeted}  done ${done(c)}  sent ${c.sent}  failed ${c.failed}  skipped ${c.skipped}`,
    ...(reasons ? [`  reasons: ${reasons}`] : []),
    ...(c.status === 'scheduled' && c.scheduledAt ? [`  scheduled at ${c.scheduledAt}`] : []),
  ].join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function campaignStatus(
  client: ApiClient,
  out: Printer,
  id: number,
  opts: { watch?: boolean; intervalMs?: number },
): Promise<void> {
  let c = await client.request<CampaignView>('GET', `/api/campaigns/${id}`);
  if (!opts.watch || SETTLED.has(c.status)) {
    if (out.json) out.data(c);
    else out.line(describeCampaign(c));
    return;
  }
  const interval = opts.intervalMs ?? 1000;
  if (out.json) {
    while (!SETTLED.has(c.status)) {
      await sleep(interval);
      c = await client.request<CampaignView>('GET', `/api/campaigns/${id}`);
    }
    out.data(c);
    return;
  }
  // Off a terminal (a pipe, CI) the bar still prints, one line per update every couple of seconds.
  const bar = new cliProgress.SingleBar(
    {
      format:
        '{bar} {percentage}% | {value}/{total} | ETA {eta_formatted} | {status} sent {sent} failed {failed} skipped {skipped}',
      etaBuffer: 50,
      noTTYOutput: true,
      notTTYSchedule: 2000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (v: CampaignView) => ({
    status: v.status,
    sent: v.sent,
    failed: v.failed,
    skipped: v.skipped,
  });
  bar.start(Math.max(c.targeted, 1), done(c), payload(c));
  try {
    while (!SETTLED.has(c.status)) {
      await sleep(interval);
      c = await client.request<CampaignView>('GET', `/api/campaigns/${id}`);
      // The audience is materialised while the run starts: the total can still grow.
      bar.setTotal(Math.max(c.targeted, 1));
      bar.update(done(c), payload(c));
    }
  } finally {
    bar.stop();
  }
  out.line(describeCampaign(c));
}

/** The service's health, and the campaigns that are running or scheduled. */
export async function serviceStatus(client: ApiClient, out: Printer): Promise<void> {
  const health = await client.request<{ status: string }>('GET', '/healthz');
  const { campaigns } = await client.request<{ campaigns: CampaignView[] }>('GET', '/api/campaigns');
  const active = campaigns.filter(
    (c) => c.status === 'running' || c.status === 'scheduled' || c.status === 'paused',
  );
  if (out.json) return out.data({ url: client.baseUrl, health: health.status, campaigns: active });
  out.line(`renotify at ${client.baseUrl}: ${health.status}`);
  if (active.length === 0) out.line('no running, scheduled or paused campaign');
  for (const c of active) out.line(describeCampaign(c));
}
