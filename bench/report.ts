// Shared bits of the benchmarks: percentiles, the machine line, and writing one section of BENCHMARKS.md.
import { promises as fs } from 'node:fs';
import os from 'node:os';

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, measured ${new Date().toISOString().slice(0, 10)}`;
}

/** The machine's 1-minute load average (it is shared: every figure is recorded beside it). */
export function load1(): number {
  return os.loadavg()[0]!;
}

/** Replaces (or appends) the section `## name` of BENCHMARKS.md, leaving the others as they are. */
export async function writeBenchSection(name: string, body: string, file = 'BENCHMARKS.md'): Promise<void> {
  let text = '';
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\nProduced by `npm run bench:*`; each run rewrites its own section.\n';
  }
  const header = `## ${name}`;
  const section = `${header}\n\n${body.trim()}\n`;
  const start = text.indexOf(header);
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const rest = text.slice(start + header.length);
    const nextIdx = rest.search(/\n## /);
    text = text.slice(0, start) + section + (nextIdx === -1 ? '' : rest.slice(nextIdx));
  }
  await fs.writeFile(file, text.endsWith('\n') ? text : `${text}\n`);
  console.log(`BENCHMARKS.md: section "${name}" updated`);
}
