// One process per embedded data directory. PGlite has no postmaster to refuse a second opener, and two
// processes writing one directory lose acknowledged writes and can leave it unopenable (issue 9.3).
//
// A pid file (`renotify.lock` inside the directory), as PostgreSQL's own postmaster.pid: created
// atomically (link of a complete temp file, so a reader never sees half of it), holding the holder's
// pid, host and process start time. A holder that died leaves the file behind, but it is stale the
// moment its process is gone, so a restart after a crash or SIGKILL goes through at once. The start time
// (Linux /proc) tells a reused pid from the holder. Takeovers of a stale file are serialised through
// an mkdir, so two starters after a crash cannot both remove it and both win.
//
// Chosen over proper-lockfile: that library decides staleness by the lock's mtime, which the holder must
// refresh from its event loop; PGlite runs queries synchronously on that loop, and a restart after a
// crash would have to wait out the stale period.
import { promises as fs, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'renotify.lock';

interface Holder {
  pid: number;
  host: string;
  /** Process start time from /proc/<pid>/stat (clock ticks since boot); null off Linux. */
  start: string | null;
  since: string;
}

export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dir: string,
    readonly holder: Holder,
  ) {
    super(
      `The data directory ${dir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}). ` +
        'An embedded database can be opened by one process only: stop that process first, or run several ' +
        'processes against PostgreSQL (DATABASE_URL).' +
        // A holder on another host (a re-created container sharing the volume) cannot be checked from here.
        (holder.host === hostname()
          ? ''
          : ` This machine cannot tell whether ${holder.host} is still running: if it is gone, delete ` +
            `${path.join(dir, LOCK_FILE)} and start again.`),
    );
  }
}

/** Directories this process holds: a second opener here is refused as well (same pid, live). */
const heldHere = new Set<string>();

export interface DataDirLock {
  readonly file: string;
  release(): Promise<void>;
}

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces, so count from its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(h: Holder, file: string): boolean {
  if (h.host !== hostname()) return true; // another machine on a shared disk: we cannot tell, so keep out
  if (!(h.pid > 0)) return false; // unreadable
  if (h.pid === process.pid) return heldHere.has(file); // else our pid from an earlier life (a container)
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  const now = startTime(h.pid);
  return h.start === null || now === null || now === h.start;
}

async function readHolder(file: string): Promise<Holder | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Holder;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Unreadable content (written by hand, or a disk error): treat it like a dead holder's.
    return { pid: 0, host: hostname(), start: null, since: '?' };
  }
}

const sameHolder = (a: Holder | null, b: Holder | null) =>
  a !== null && b !== null && a.pid === b.pid && a.host === b.host && a.start === b.start;

/** Takes the directory's lock or throws DataDirLockedError naming the live holder. */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(await fs.realpath(dir), LOCK_FILE);
  const me: Holder = {
    pid: process.pid,
    host: hostname(),
    start: startTime(process.pid),
    since: new Date().toISOString(),
  };
  const tmp = `${file}.${process.pid}.${Date.now()}`;
  await fs.writeFile(tmp, JSON.stringify(me));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(tmp, file);
        heldHere.add(file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 20) throw e;
      }
      const holder = await readHolder(file);
      if (holder && alive(holder, file)) throw new DataDirLockedError(dir, holder);
      await takeOver(file, holder);
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
  const releaseSync = () => {
    heldHere.delete(file);
    try {
      if (sameHolder(JSON.parse(readFileSync(file, 'utf8')), me)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  // A normal exit removes it too; after a crash the next opener finds the holder dead.
  process.once('exit', releaseSync);
  return {
    file,
    async release() {
      process.removeListener('exit', releaseSync);
      releaseSync();
    },
  };
}

/** Removes a dead holder's file, unless another starter replaced it meanwhile. */
async function takeOver(file: string, dead: Holder | null): Promise<void> {
  const mutex = `${file}.takeover`;
  try {
    await fs.mkdir(mutex);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // Another starter is taking over (milliseconds); one left by a crash mid-takeover is old.
    const st = await fs.stat(mutex).catch(() => null);
    if (st && Date.now() - st.mtimeMs > 10_000) await fs.rm(mutex, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 50));
    return;
  }
  try {
    if (sameHolder(await readHolder(file), dead)) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(mutex, { recursive: true, force: true });
  }
}
