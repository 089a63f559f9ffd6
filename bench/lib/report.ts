/** Reporting shared by the benchmarks: the machine and its load, goal lines, the JSON result file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { resolve } from 'node:path';

export const loadAverage = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ');

export function machine(): Record<string, unknown> {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, memGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg() };
}

/** Prints "goal <what>: met / NOT met (<detail>)" and returns whether it was met. */
export function goal(what: string, met: boolean, detail: string): boolean {
  process.stdout.write(`goal ${what}: ${met ? 'met' : 'NOT met'} (${detail})\n`);
  return met;
}

/** Writes bench/results/<name>-<timestamp>.json and says where. */
export function writeResults(name: string, data: Record<string, unknown>): string {
  mkdirSync(resolve('bench', 'results'), { recursive: true });
  const file = resolve('bench', 'results', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  process.stdout.write(`Wrote ${file}\n`);
  return file;
}
