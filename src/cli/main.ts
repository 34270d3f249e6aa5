// `npx renotify …`: the command line. An HTTP client of the service (--url / RENOTIFY_URL, API key
// via --api-key / RENOTIFY_API_KEY), except `worker`, which is a process of the service itself.
// Exit codes a script can rely on: 0 ok, 1 the API refused (its code printed), 2 usage, 3 unreachable.
import { Command, CommanderError, Option } from 'commander';
import { ApiClient, ApiError, EXIT, UnreachableError, UsageError } from './client.ts';
import { campaignCommands, dataCommands, type Globals, positiveInt, topicCommands } from './commands.ts';
import { pageCommands } from './pages.ts';
import { campaignStatus, type Printer, serviceStatus } from './status.ts';
import { userCommands } from './users.ts';
import { runSandbox, runWorker } from './worker.ts';
import { workspaceCommands } from './workspaces.ts';

interface GlobalOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
  page?: number;
}

export function buildProgram(env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('renotify')
    .description('renotify command line: a client of the renotify service API')
    .addOption(new Option('--url <url>', 'service URL').env('RENOTIFY_URL').default('http://127.0.0.1:3000'))
    .addOption(
      new Option('--api-key <key>', 'API key, sent as Authorization: Bearer').env('RENOTIFY_API_KEY'),
    )
    .option('--json', 'print the API result as JSON')
    .option('--page <id>', "page id (default: the workspace's first page)", positiveInt)
    .showHelpAfterError()
    .exitOverride();

  let cached: Globals | null = null;
  const globals = (): Globals => {
    if (cached) return cached;
    const o = program.opts<GlobalOptions>();
    const client = new ApiClient({ url: o.url, apiKey: o.apiKey });
    const out: Printer = {
      json: Boolean(o.json),
      line: (text) => process.stdout.write(`${text}\n`),
      data: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    };
    let page: Promise<number> | null = null;
    cached = {
      client,
      out,
      pageId: () => {
        if (o.page) return Promise.resolve(o.page);
        page ??= client.request<{ pages: Array<{ id: number }> }>('GET', '/api/pages').then((r) => {
          if (!r.pages[0]) throw new UsageError('the workspace has no page yet');
          return r.pages[0].id;
        });
        return page;
      },
    };
    return cached;
  };

  topicCommands(program, globals);
  campaignCommands(program, globals);
  dataCommands(program, globals);
  userCommands(program, env, () => globals().out);
  program
    .command('status [campaignId]')
    .description(
      "the service's health and active campaigns, or one campaign (--watch: live progress and ETA)",
    )
    .option('--watch', 'follow the campaign until it completes, pauses or is cancelled')
    .option('--interval <ms>', 'poll interval', positiveInt, 1000)
    .action(async (id: string | undefined, o: { watch?: boolean; interval: number }) => {
      const { client, out } = globals();
      if (id === undefined) {
        if (o.watch) throw new UsageError('--watch needs a campaign id');
        return serviceStatus(client, out);
      }
      await campaignStatus(client, out, positiveInt(id), { watch: Boolean(o.watch), intervalMs: o.interval });
    });
  program
    .command('sandbox')
    .description(
      'run the Graph API sandbox as its own process (state in RENOTIFY_DATA_DIR); point the service ' +
        'and workers at it with SANDBOX_URL',
    )
    .action(() => runSandbox(env));
  workspaceCommands(program, env, () => globals().out);
  pageCommands(program, env, () => globals().out);
  program
    .command('worker')
    .description('run an extra worker process against the same PostgreSQL database (not the embedded one)')
    .action(() => runWorker(env));
  return program;
}

/** An import refused for several bad lines: one line each, so the file can be fixed in one go. */
function listed(message: string, details: unknown): string {
  const d = details as { errors?: Array<{ message?: unknown }>; badLines?: unknown } | undefined;
  if (!Array.isArray(d?.errors) || d.errors.length < 2) return message;
  const more =
    Number(d.badLines) > d.errors.length ? `\n  … and ${Number(d.badLines) - d.errors.length} more` : '';
  return `${d.badLines} bad lines; nothing was imported:\n${d.errors.map((e) => `  ${String(e.message)}`).join('\n')}${more}`;
}

/** Runs the CLI and returns the exit code; messages go to stderr (JSON on stdout with --json). */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram(env);
  const json = argv.includes('--json');
  const fail = (code: number, errorCode: string, message: string, details?: unknown) => {
    if (json)
      process.stdout.write(
        `${JSON.stringify({ error: { code: errorCode, message, ...(details ? { details } : {}) } })}\n`,
      );
    process.stderr.write(
      `renotify: ${errorCode === 'usage' ? '' : `${errorCode}: `}${listed(message, details)}\n`,
    );
    return code;
  };
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version were printed by commander: not a failure.
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.help' ||
        e.code === 'commander.version'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    if (e instanceof ApiError) return fail(EXIT.api, e.code, e.message, e.details);
    if (e instanceof UnreachableError) return fail(EXIT.unreachable, 'unreachable', e.message);
    if (e instanceof UsageError) return fail(EXIT.usage, 'usage', e.message);
    return fail(EXIT.api, 'cli_error', (e as Error).stack ?? String(e));
  }
}
