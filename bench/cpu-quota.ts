// CPU quotas for bench processes (Linux cgroups, v1 `cpu` controller or v2 `cpu.max`; needs write access
// to /sys/fs/cgroup, i.e. root). Why: on a 2-core machine a second dispatcher process has no spare core to
// run on, so "two processes are ≥ 1.7× one" cannot be shown by adding processes alone. Giving each
// dispatcher process the same fixed share of a CPU makes the dispatcher the bottleneck while PostgreSQL and
// the sandbox keep spare capacity — the situation of a machine with spare cores, measured, not assumed.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CpuQuota {
  /** The share of one CPU each process gets (0.25 = a quarter of a core). */
  share: number;
  /** Throttling statistics of the cgroup: scheduling periods, and how many of them hit the quota. */
  stats(): { periods: number; throttled: number };
  remove(): void;
}

const PERIOD_US = 100_000;

/** A cgroup limited to `share` of one CPU, holding `pid`. Throws a clear error where cgroups are not writable. */
export function limitCpu(name: string, pid: number, share: number): CpuQuota {
  const quota = Math.round(share * PERIOD_US);
  const v1 = '/sys/fs/cgroup/cpu';
  const v2 = '/sys/fs/cgroup';
  if (existsSync(path.join(v1, 'cpu.cfs_quota_us'))) {
    const dir = path.join(v1, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(quota));
    writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
    return {
      share,
      stats: () => throttling(dir),
      remove: () => rmdirSync(dir),
    };
  }
  if (existsSync(path.join(v2, 'cgroup.controllers'))) {
    const dir = path.join(v2, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
    writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
    return {
      share,
      stats: () => throttling(dir),
      remove: () => rmdirSync(dir),
    };
  }
  throw new Error('--cpu-quota needs Linux cgroups with the cpu controller writable (run as root)');
}

function throttling(dir: string): { periods: number; throttled: number } {
  const stat = Object.fromEntries(
    readFileSync(path.join(dir, 'cpu.stat'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([k, v]) => [k, Number(v)]),
  );
  return { periods: stat.nr_periods ?? 0, throttled: stat.nr_throttled ?? 0 };
}
