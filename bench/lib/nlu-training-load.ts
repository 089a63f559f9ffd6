/**
 * What the server does while it trains: a real server process (spawned, so its event loop
 * and memory are measured from outside), a first start that trains the bundled data, then a
 * large import, POST /nlu/train and two activations (rollback and forward), while one
 * client polls /health/live back to back. Reports the longest liveness latency, failed
 * requests and the process's peak RSS (VmHWM, reset between the two phases).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingExample } from '../../src/nlu/core/types';
import { Rng } from '../../src/nlu/training/rng';
import { percentile } from './load';
import { call, closeConnections, delay, freePort, startServer, waitFor } from './server';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'be', 'da', 'fo', 'gu', 'hi', 'jo', 'pe', 'qu', 'wa', 'xe', 'yo', 'zu', 'an', 'el', 'is', 'or', 'um'];

/**
 * A large intent set with the feature diversity of real data (thousands of distinct words
 * and character n-grams, so the hashed feature table fills up like it does on CLINC150 or a
 * user's own data): `intents` classes x `perIntent` examples, half English-like, half
 * Chinese-like, a third with one annotated `place` entity. Unique texts, deterministic.
 */
export function diverseIntentSet(intents: number, perIntent: number, seed = 7): TrainingExample[] {
  const rng = new Rng(seed);
  const word = () => Array.from({ length: 2 + rng.int(3) }, () => SYLLABLES[rng.int(SYLLABLES.length)]).join('');
  const hanzi = () => String.fromCharCode(0x4e00 + rng.int(3500)) + String.fromCharCode(0x4e00 + rng.int(3500));
  const enVocab = Array.from({ length: 6000 }, word);
  const zhVocab = Array.from({ length: 6000 }, hanzi);
  const places = { en: Array.from({ length: 300 }, () => word().replace(/^./, (c) => c.toUpperCase())), zh: Array.from({ length: 300 }, hanzi) };
  const seen = new Set<string>();
  const out: TrainingExample[] = [];
  for (let c = 0; c < intents; c++) {
    const keys = { en: Array.from({ length: 15 }, () => enVocab[rng.int(enVocab.length)]), zh: Array.from({ length: 15 }, () => zhVocab[rng.int(zhVocab.length)]) };
    for (let i = 0; i < perIntent; ) {
      const lang = rng.next() < 0.5 ? 'en' : 'zh';
      const vocab = lang === 'en' ? enVocab : zhVocab;
      const words: string[] = [];
      const n = 5 + rng.int(7);
      for (let w = 0; w < n; w++) words.push(rng.next() < 0.45 ? keys[lang][rng.int(keys[lang].length)] : vocab[rng.int(vocab.length)]);
      const sep = lang === 'en' ? ' ' : '';
      const entities: TrainingExample['entities'] = [];
      if (rng.next() < 0.33) {
        const place = places[lang][rng.int(places[lang].length)];
        const at = 1 + rng.int(words.length - 1);
        const start = words.slice(0, at).join(sep).length + sep.length;
        words.splice(at, 0, place);
        entities.push({ entity: 'place', start, end: start + place.length });
      }
      const text = words.join(sep);
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, intent: `intent_${c}`, lang, entities });
      i++;
    }
  }
  return out;
}

/** Peak resident set of a process (kB -> MiB), and a reset of that peak where the kernel allows it. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Back-to-back GET /health/live until stopped: every latency and every failure (status >= 500 or a reset connection). */
function pollLiveness(port: number) {
  const latencies: number[] = [];
  const failures: string[] = [];
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const t = performance.now();
      try {
        const r = await call(port, 'GET', '/health/live');
        if (r.status >= 500) failures.push(`HTTP ${r.status}`);
      } catch (err) {
        failures.push((err as NodeJS.ErrnoException).code ?? (err as Error).message);
      }
      latencies.push(performance.now() - t);
      await delay(5);
    }
  })();
  return {
    latencies,
    failures,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

async function waitTrained(port: number, version: number): Promise<Record<string, unknown>> {
  let job: Record<string, unknown> = {};
  await waitFor(async () => {
    job = (await call(port, 'GET', `/api/v1/nlu/train/${version}`)).body as Record<string, unknown>;
    return job.status !== 'training';
  }, `training v${version}`, 6 * 3600);
  return job;
}

const summary = (latencies: number[], failures: string[]) => ({
  requests: latencies.length,
  failed: failures.length,
  failures: [...new Set(failures)].slice(0, 5),
  liveMaxMs: latencies.length ? Math.max(...latencies) : NaN,
  liveP99Ms: percentile(latencies, 99),
});

export interface TrainingLoadReport {
  firstStart: ReturnType<typeof summary> & { rssPeakMiB: number; seconds: number };
  large: ReturnType<typeof summary> & { examples: number; rssPeakMiB: number; peakReset: boolean; trainSeconds: number; trainingMs: unknown; activateMs: number[]; status: unknown; version: number };
}

/** Runs both phases against a fresh server in a temporary DATA_DIR. */
export async function measureTrainingUnderLoad(examples: TrainingExample[]): Promise<TrainingLoadReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmos-bench-nlu-'));
  mkdirSync(join(dataDir, 'models'), { recursive: true });
  const port = await freePort();
  const child = startServer(port, dataDir);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const started = performance.now();
    await waitFor(async () => (await call(port, 'GET', '/health/live')).status === 200, 'the server to listen', 300);
    let poll = pollLiveness(port);
    await waitFor(async () => (await call(port, 'GET', '/health/ready')).status === 200, 'the first model (bundled data)', 6 * 3600);
    await poll.stop();
    const firstStart = { ...summary(poll.latencies, poll.failures), rssPeakMiB: peakRssMiB(child.pid!), seconds: (performance.now() - started) / 1000 };

    const imported = await call(port, 'POST', '/api/v1/nlu/import', { format: 'json', mode: 'replace', content: examples });
    if (imported.status !== 200 && imported.status !== 201) throw new Error(`import answered ${imported.status}: ${JSON.stringify(imported.body).slice(0, 300)}`);
    const before = ((await call(port, 'GET', '/api/v1/nlu/models')).body as { version: number; active: boolean }[]).find((m) => m.active)!.version;
    const peakReset = resetPeakRss(child.pid!);
    poll = pollLiveness(port);
    const t = performance.now();
    const train = await call(port, 'POST', '/api/v1/nlu/train', {});
    if (train.status !== 202) throw new Error(`train answered ${train.status}: ${JSON.stringify(train.body).slice(0, 300)}`);
    const version = (train.body as { version: number }).version;
    const job = await waitTrained(port, version);
    const trainSeconds = (performance.now() - t) / 1000;
    const activateMs: number[] = [];
    for (const v of [before, version]) {
      const a = performance.now();
      const r = await call(port, 'POST', `/api/v1/nlu/models/${v}/activate`, {});
      if (r.status !== 200) throw new Error(`activate v${v} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      activateMs.push(performance.now() - a);
    }
    await poll.stop();
    const metrics = job.metrics as { timings?: unknown } | null;
    return {
      firstStart,
      large: { ...summary(poll.latencies, poll.failures), examples: examples.length, rssPeakMiB: peakRssMiB(child.pid!), peakReset, trainSeconds, trainingMs: metrics?.timings ?? null, activateMs, status: job.status, version },
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
    closeConnections();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
