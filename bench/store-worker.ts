// A worker process for bench:store: applies the opt-in events the bench stored, as the worker does
// (bench/store-optins.ts), in a process of its own while the bench samples the lists.
//   tsx bench/store-worker.ts <schema> <jobs.json> <rate> <batch> <concurrency>
//   (DATABASE_URL, RN_SECRET_KEY, RN_CLOCK from the env). Prints `ready` once connected, starts on a
//   line on stdin, prints its CPU ms, and
//   closes on a second line.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { ManualClock } from '../src/clock.ts';
import { openStorage } from '../src/storage/db.ts';
import { parseKey, setSecretKey } from '../src/storage/secrets.ts';
import { applyOptInJobs, type OptInJob } from './store-optins.ts';

const [schema, jobsFile, rate, batch, concurrency] = process.argv.slice(2);
setSecretKey(parseKey(process.env.RN_SECRET_KEY!));
const storage = await openStorage({ databaseUrl: process.env.DATABASE_URL!, schema: schema!, poolSize: 8 });
const clock = new ManualClock(new Date(process.env.RN_CLOCK!), { frozen: true });
const jobs = JSON.parse(readFileSync(jobsFile!, 'utf8')) as OptInJob[];
// Every pooled connection opened before the bench's first reading of the server's CPU.
await Promise.all(Array.from({ length: 8 }, () => sql`SELECT pg_sleep(0.01)`.execute(storage.db)));
console.log('ready');
const lines = createInterface({ input: process.stdin });
await new Promise((r) => lines.once('line', r));
const cpu0 = process.cpuUsage();
// 0: at full speed.
await applyOptInJobs({ db: storage.db, clock }, jobs, Number(rate) > 0 ? Number(rate) : null, {
  batch: Number(batch),
  concurrency: Number(concurrency),
});
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 }));
// Connected until the bench has read the server's CPU (its backends are this process's connections).
await new Promise((r) => lines.once('line', r));
lines.close();
await storage.close();
