/** Load-generation helpers shared by the benchmarks. */

export interface LoadResult {
  completed: number;
  failed: number;
  seconds: number;
  /** per-request latency, ms */
  latencies: number[];
}

/**
 * A closed loop: `concurrency` workers each send a request, wait for it, send the next,
 * until `seconds` have passed. Throughput = completed / seconds.
 */
export async function runClosedLoop(concurrency: number, seconds: number, request: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = [];
  let completed = 0;
  let failed = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await request(counter++);
        latencies.push(performance.now() - t);
        completed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, failed, seconds: (performance.now() - started) / 1000, latencies };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function printTable(title: string, rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  const fmt = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  process.stdout.write(`\n${title}\n${line(cols)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(cols.map((c) => fmt(r[c])))}\n`);
}

export interface StreamLoadResult {
  requests: number;
  failed: number;
  tokens: number;
  seconds: number;
  /** per-request time to first token, ms (requests whose client reports it) */
  ttfts: number[];
  /** per-request total time, ms */
  latencies: number[];
  /** first error message, if any request failed */
  error?: string;
}

/**
 * A closed loop over streaming requests: `concurrency` callers each start a request,
 * wait for its last token, start the next, until `seconds` have passed and each caller
 * has finished at least `minPerCaller`. Requests already running at the deadline finish
 * and count, so tokens / seconds is the aggregate rate over whole requests.
 */
export async function runStreamingLoop(
  concurrency: number,
  seconds: number,
  minPerCaller: number,
  request: (i: number) => Promise<{ ttftMs?: number; tokens: number }>,
): Promise<StreamLoadResult> {
  const r: StreamLoadResult = { requests: 0, failed: 0, tokens: 0, seconds: 0, ttfts: [], latencies: [] };
  let counter = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const caller = async () => {
    for (let done = 0; done < minPerCaller || performance.now() < deadline; done++) {
      const t = performance.now();
      try {
        const out = await request(counter++);
        r.latencies.push(performance.now() - t);
        if (out.ttftMs !== undefined) r.ttfts.push(out.ttftMs);
        r.tokens += out.tokens;
        r.requests++;
      } catch (err) {
        r.failed++;
        r.error ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  r.seconds = (performance.now() - started) / 1000;
  return r;
}
