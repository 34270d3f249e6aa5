// The CLI's commands over the service API: topics, campaigns, statistics, import and export. Each
// prints a short human summary, or the API's JSON with --json.
import { createWriteStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { type ApiClient, UsageError } from './client.ts';
import { type CampaignView, campaignStatus, describeCampaign, type Printer } from './status.ts';

export interface Globals {
  client: ApiClient;
  out: Printer;
  /** The page to act on: --page, or the workspace's first page. */
  pageId(): Promise<number>;
}

interface Topic {
  id: number;
  name: string;
  kind: string;
  title: string;
  frequency: string | null;
  active: boolean;
  validSubscribers?: number;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a positive whole number, got "${value}"`);
  return n;
}

const topicLine = (t: Topic) =>
  `${String(t.id).padStart(4)}  ${t.active ? 'active  ' : 'inactive'}  ${t.kind.padEnd(9)}  ${t.name}  — "${t.title}"${
    t.frequency ? ` ${t.frequency}` : ''
  }${t.validSubscribers !== undefined ? `  (${t.validSubscribers} valid)` : ''}`;

export function topicCommands(program: Command, g: () => Globals) {
  const topics = program
    .command('topics')
    .description('list, create, deactivate and activate notification topics');
  topics
    .command('list', { isDefault: true })
    .description("the page's topics")
    .action(async () => {
      const { client, out, pageId } = g();
      const res = await client.request<{ topics: Topic[] }>('GET', `/api/pages/${await pageId()}/topics`);
      if (out.json) return out.data(res);
      if (res.topics.length === 0) out.line('no topics');
      for (const t of res.topics) out.line(topicLine(t));
    });
  topics
    .command('create')
    .description('create a topic')
    .requiredOption('--name <name>', 'admin-facing name, unique on the page')
    .requiredOption('--kind <kind>', 'recurring or one_time')
    .requiredOption('--title <title>', 'the opt-in card title (≤ 65 characters)')
    .option('--frequency <f>', 'recurring: DAILY, WEEKLY or MONTHLY')
    .option('--cta <text>', 'recurring button: ALLOW, GET, GET_UPDATES, OPT_IN, SIGN_UP')
    .option('--image <url>', 'recurring card image')
    .action(
      async (o: {
        name: string;
        kind: string;
        title: string;
        frequency?: string;
        cta?: string;
        image?: string;
      }) => {
        const { client, out, pageId } = g();
        const body = {
          name: o.name,
          kind: o.kind,
          title: o.title,
          ...(o.frequency && { frequency: o.frequency }),
          ...(o.cta && { ctaText: o.cta }),
          ...(o.image && { imageUrl: o.image }),
        };
        const t = await client.request<Topic>('POST', `/api/pages/${await pageId()}/topics`, { json: body });
        if (out.json) return out.data(t);
        out.line(`created topic ${t.id}`);
        out.line(topicLine(t));
      },
    );
  for (const verb of ['deactivate', 'activate'] as const) {
    topics
      .command(`${verb} <topicId>`)
      .description(
        verb === 'deactivate'
          ? 'stop sending on it; its subscriptions are kept and come back on activate'
          : 'make it sendable again, with the subscriptions that have not expired meanwhile',
      )
      .action(async (id: string) => {
        const { client, out } = g();
        const t = await client.request<Topic>('POST', `/api/topics/${positiveInt(id)}/${verb}`);
        if (out.json) return out.data(t);
        out.line(topicLine(t));
      });
  }
}

/** "Title" is a postback button; "Title=https://…" opens the URL (tracked by the service). */
function button(spec: string) {
  const i = spec.indexOf('=');
  if (i < 0) return { type: 'postback', title: spec };
  return { type: 'url', title: spec.slice(0, i), url: spec.slice(i + 1) };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function campaignCommands(program: Command, g: () => Globals) {
  const campaign = program
    .command('campaign')
    .description('campaigns: create, dry-run, start, watch, pause, resume, cancel');
  campaign
    .command('create')
    .description('create a draft notification campaign on a topic')
    .requiredOption('--topic <id>', 'the topic whose subscribers get it', positiveInt)
    .requiredOption('--name <name>', 'campaign name')
    .option('--text <text>', 'message text; {{first_name}} and friends are filled in')
    .option('--image <url>', 'a single image instead of text')
    .option('--button <spec>', 'up to 3: "Title" (postback) or "Title=https://…"', collect)
    .option('--label <label>', 'only customers carrying this label (repeatable)', collect)
    .option('--allow-defer', 'wait for tokens cooling down instead of skipping them')
    .action(
      async (o: {
        topic: number;
        name: string;
        text?: string;
        image?: string;
        button?: string[];
        label?: string[];
        allowDefer?: boolean;
      }) => {
        const { client, out, pageId } = g();
        if (Boolean(o.text) === Boolean(o.image))
          throw new UsageError('give exactly one of --text and --image');
        if (o.button && !o.text) throw new UsageError('--button needs --text');
        const content = o.image
          ? { type: 'image', url: o.image }
          : o.button
            ? { type: 'buttons', text: o.text, buttons: o.button.map(button) }
            : { type: 'text', text: o.text };
        const body = {
          name: o.name,
          topicId: o.topic,
          content,
          ...(o.label && { audience: { labels: o.label } }),
          ...(o.allowDefer && { allowDefer: true }),
        };
        const c = await client.request<CampaignView>('POST', `/api/pages/${await pageId()}/campaigns`, {
          json: body,
        });
        if (out.json) return out.data(c);
        out.line(`created campaign ${c.id} (draft): dry-run it with \`renotify campaign dry-run ${c.id}\``);
      },
    );
  campaign
    .command('dry-run <campaignId>')
    .description('who would get it now, and why the others would not')
    .action(async (id: string) => {
      const { client, out } = g();
      const d = await client.request<{
        audience: number;
        reachable: number;
        deferred: number;
        skipped: Record<string, number>;
        estimatedSeconds: number;
        routes: Record<string, number>;
        refusals: Record<string, number>;
        routeNotAvailable: number;
        estimate?: { currency: string; amount: number };
      }>('POST', `/api/campaigns/${positiveInt(id)}/dry-run`);
      if (out.json) return out.data(d);
      out.line(
        `audience ${d.audience}  reachable ${d.reachable}  deferred ${d.deferred}  ~${d.estimatedSeconds}s`,
      );
      for (const [reason, n] of Object.entries(d.skipped)) out.line(`  not reachable: ${reason} ${n}`);
      // The route each recipient would take (Meta's 2026 rules), and why none for the others.
      for (const [route, n] of Object.entries(d.routes ?? {})) {
        const price =
          route === 'marketing_message'
            ? d.estimate
              ? `  price estimate: ${d.estimate.amount} ${d.estimate.currency}`
              : '  price estimate: see dry run in the console'
            : '';
        out.line(`  route ${route}: ${n}${price}`);
      }
      for (const [reason, n] of Object.entries(d.refusals ?? {})) out.line(`  no route: ${reason} ${n}`);
      if (d.routeNotAvailable > 0) {
        out.line(`  not sendable by this version yet (route_not_available): ${d.routeNotAvailable}`);
      }
    });
  campaign
    .command('start <campaignId>')
    .description('start now, or schedule with --at')
    .option('--at <time>', 'ISO 8601 time to start at')
    .option('--watch', 'then follow its progress')
    .action(async (id: string, o: { at?: string; watch?: boolean }) => {
      const { client, out } = g();
      const c = await client.request<CampaignView>('POST', `/api/campaigns/${positiveInt(id)}/start`, {
        json: o.at ? { at: o.at } : {},
      });
      if (o.watch) return campaignStatus(client, out, c.id, { watch: true });
      if (out.json) return out.data(c);
      out.line(describeCampaign(c));
    });
  campaign
    .command('status <campaignId>')
    .description('progress; --watch follows it with a progress bar and ETA')
    .option('--watch', 'follow until it completes, pauses or is cancelled')
    .option('--interval <ms>', 'poll interval', positiveInt, 1000)
    .action(async (id: string, o: { watch?: boolean; interval: number }) => {
      const { client, out } = g();
      await campaignStatus(client, out, positiveInt(id), { watch: Boolean(o.watch), intervalMs: o.interval });
    });
  for (const verb of ['pause', 'resume', 'cancel'] as const) {
    campaign
      .command(`${verb} <campaignId>`)
      .description(`${verb} the campaign`)
      .action(async (id: string) => {
        const { client, out } = g();
        const c = await client.request<CampaignView>('POST', `/api/campaigns/${positiveInt(id)}/${verb}`);
        if (out.json) return out.data(c);
        out.line(describeCampaign(c));
      });
  }
  campaign
    .command('stats <campaignId>')
    .description('its numbers: sent, delivered, read, clicked, failed by reason, stopped after')
    .action(async (id: string) => {
      const { client, out } = g();
      const s = await client.request<Record<string, unknown>>(
        'GET',
        `/api/campaigns/${positiveInt(id)}/stats`,
      );
      out.data(s);
    });
}

async function readInput(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function dataCommands(program: Command, g: () => Globals) {
  const imp = program
    .command('import')
    .description('import customers or subscriptions (CSV), or pull tokens from Meta');
  for (const what of ['customers', 'subscriptions'] as const) {
    imp
      .command(`${what} <file>`)
      .description(
        what === 'customers'
          ? 'CSV psid,name,first_name,last_name,locale,last_interaction_at,labels,attr.* ("-" reads stdin)'
          : 'CSV psid,topic,token,kind,opted_in_at,expires_at ("-" reads stdin)',
      )
      .action(async (file: string) => {
        const { client, out, pageId } = g();
        const csv = await readInput(file);
        const r = await client.request<Record<string, number>>(
          'POST',
          `/api/pages/${await pageId()}/import/${what}`,
          { csv },
        );
        if (out.json) return out.data(r);
        out.line(
          `imported ${what}: ${Object.entries(r)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
      });
  }
  imp
    .command('tokens')
    .description("pull the page's recurring notification tokens from Meta, matched to topics by title")
    .action(async () => {
      const { client, out, pageId } = g();
      const r = await client.request<{
        tokens: number;
        accepted: number;
        unchanged: number;
        skipped: unknown[];
      }>('POST', `/api/pages/${await pageId()}/import/tokens`);
      if (out.json) return out.data(r);
      out.line(
        `tokens ${r.tokens}: accepted ${r.accepted}, unchanged ${r.unchanged}, skipped ${r.skipped.length}`,
      );
    });

  program
    .command('export')
    .description('export data')
    .command('consent')
    .description('the consent history (every opt-in, stop, resume, use and expiry), oldest first')
    .option('--format <format>', 'csv or json', 'csv')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--topic <id>', 'only this topic', positiveInt)
    .option('--customer <id>', 'only this customer', positiveInt)
    .action(async (o: { format: string; out?: string; topic?: number; customer?: number }) => {
      const { client } = g();
      if (o.format !== 'csv' && o.format !== 'json') throw new UsageError('--format is csv or json');
      const q = new URLSearchParams({ format: o.format });
      if (o.topic) q.set('topicId', String(o.topic));
      if (o.customer) q.set('customerId', String(o.customer));
      const res = await client.stream(`/api/consent-history?${q}`);
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
      if (o.out) {
        await pipeline(body, createWriteStream(o.out));
        console.error(`wrote ${o.out}`);
      } else {
        await pipeline(body, process.stdout, { end: false });
      }
    });

  const stats = program.command('stats').description('statistics of a topic or of the page');
  stats
    .command('topic <topicId>')
    .description('invitations, acceptance rate, valid subscribers by day, stops and sends')
    .option('--days <n>', 'days of daily series', positiveInt, 30)
    .action(async (id: string, o: { days: number }) => {
      const { client, out } = g();
      out.data(await client.request('GET', `/api/topics/${positiveInt(id)}/stats?days=${o.days}`));
    });
  stats
    .command('page')
    .description("the page's totals")
    .action(async () => {
      const { client, out, pageId } = g();
      out.data(await client.request('GET', `/api/pages/${await pageId()}/stats`));
    });
}
