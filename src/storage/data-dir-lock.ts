// PGlite has no lock of its own: two processes opening one data directory would both write to it and
// corrupt it. A pid file in the directory says which process has it open; a file left by a process
// that is gone (killed, crashed) is taken over.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'renotify.pid';

/** The data directory is open in another live process (the service, most likely). */
export class DataDirBusyError extends Error {
  constructor(
    readonly pid: number,
    readonly file: string,
  ) {
    super(
      `the embedded database in ${path.dirname(file)} is open in process ${pid} (the renotify service?). ` +
        `PGlite allows one process at a time: stop the service, then run this again. If no renotify ` +
        `process is running, delete ${file}.`,
    );
    this.name = 'DataDirBusyError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory for this process; returns the release. Throws DataDirBusyError when held. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  const mine = String(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, mine, { flag: 'wx' });
      return async () => {
        // Only our own file: never remove a lock another process took over.
        if ((await fs.readFile(file, 'utf8').catch(() => '')) === mine) await fs.rm(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new DataDirBusyError(holder, file);
    }
    await fs.rm(file, { force: true }); // left by a process that is gone
  }
  throw new Error(`could not take ${file}`);
}
