import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Feeds, NumericData } from './batch-tensors';
import type { BatchCall } from '../../generation/engine/resident-batch';
import type { Replica } from './model-queue';
import { ExecutionProvider, IoInfo, makeTensorLike, SessionSettings } from '../runtime/ort';
import type { WireTensor, WorkerReply, WorkerRequest } from '../runtime/worker-protocol';

/** Compiled: the .js beside this file. Under ts-jest / ts-node: the .ts, through ts-node. */
function workerEntry(): { file: string; execArgv: string[] } {
  const js = join(__dirname, '..', 'runtime', 'session-worker.js');
  if (existsSync(js)) return { file: js, execArgv: [] };
  return { file: join(__dirname, '..', 'runtime', 'session-worker.ts'), execArgv: ['-r', 'ts-node/register/transpile-only'] };
}

interface Waiting {
  resolve: (out: Feeds | unknown) => void;
  reject: (err: Error) => void;
}

/**
 * A model replica: one ONNX Runtime session living in its own worker thread (see
 * session-worker.ts for why). Runs are answered in order; the worker handles one at a
 * time, which is also how a single ORT session behaves.
 */
export class WorkerReplica implements Replica {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private active = 0;
  private drainWaiters: Array<{ pins: boolean; resolve: () => void }> = [];
  /** generation engines whose batch KV cache this replica holds (see `pin`) */
  private pins = 0;
  private dead?: Error;
  private releasing = false;

  private constructor(
    readonly id: number,
    private readonly worker: Worker,
    readonly provider: ExecutionProvider,
    readonly fallbacks: { provider: ExecutionProvider; reason: string }[],
    readonly io: { inputs: IoInfo[]; outputs: IoInfo[] },
    /** the graph was rewritten at load (see onnx/last-token-logits.ts) */
    readonly transformed: boolean,
  ) {
    worker.on('message', (msg: WorkerReply) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`inference worker exited (code ${code})`)));
  }

  static async create(id: number, source: string | Uint8Array, settings: SessionSettings, transform?: 'last-token-logits'): Promise<WorkerReplica> {
    const entry = workerEntry();
    const worker = new Worker(entry.file, { execArgv: entry.execArgv, stdout: false, stderr: false });
    const ready = await new Promise<Extract<WorkerReply, { type: 'ready' }>>((resolve, reject) => {
      const onMessage = (msg: WorkerReply) => {
        cleanup();
        if (msg.type === 'ready') resolve(msg);
        else reject(new Error(msg.type === 'init-error' ? msg.message : `unexpected ${msg.type}`));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`inference worker exited during start-up (code ${code})`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const msg: WorkerRequest = { type: 'init', source, settings, transform };
      worker.postMessage(msg);
    }).catch(async (err: Error) => {
      await worker.terminate();
      throw err;
    });
    return new WorkerReplica(id, worker, ready.provider, ready.fallbacks, ready.io, ready.transformed);
  }

  get inFlight(): number {
    return this.active;
  }

  /** Sends the feeds to the worker. Buffers are copied, unless `transfer` hands them over (the caller must not touch them again). */
  run(feeds: Feeds, transfer = false): Promise<Feeds> {
    const wire: Record<string, WireTensor> = {};
    const buffers: ArrayBuffer[] = [];
    for (const [name, t] of Object.entries(feeds)) {
      const data = t.data as NumericData;
      wire[name] = { type: t.type, dims: [...t.dims], data };
      if (transfer && data.buffer instanceof ArrayBuffer && !buffers.includes(data.buffer)) buffers.push(data.buffer);
    }
    return this.send((id) => ({ type: 'run', id, feeds: wire }), buffers) as Promise<Feeds>;
  }

  /** release() is stopping the worker (runs and, if it waited, pinned batches are over) */
  get released(): boolean {
    return this.releasing;
  }

  get pinned(): number {
    return this.pins;
  }

  /**
   * Holds the replica for one generation engine's batch, whose KV cache stays in the
   * worker between calls (`call`, outside the pool's queue): release waits for `unpin`.
   */
  pin(): { call: (call: BatchCall, transfer: ArrayBuffer[]) => Promise<unknown>; unpin: () => void } {
    this.pins++;
    let held = true;
    return {
      call: (call, transfer) => this.send((id) => ({ type: 'batch', id, call }), transfer),
      unpin: () => {
        if (!held) return;
        held = false;
        this.pins--;
        this.drained();
      },
    };
  }

  private send(message: (id: number) => WorkerRequest, transfer: ArrayBuffer[]): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    this.active++;
    return new Promise<unknown>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(message(id), transfer);
    }).finally(() => {
      this.active--;
      this.drained();
    });
  }

  private drained(): void {
    const done = this.drainWaiters.filter((w) => this.active === 0 && (!w.pins || this.pins === 0));
    this.drainWaiters = this.drainWaiters.filter((w) => !done.includes(w));
    for (const w of done) w.resolve();
  }

  private onMessage(msg: WorkerReply): void {
    if (msg.type !== 'result' && msg.type !== 'run-error' && msg.type !== 'batch-result') return;
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    if (msg.type === 'run-error') {
      w.reject(new Error(msg.message));
      return;
    }
    if (msg.type === 'batch-result') {
      w.resolve(msg.result);
      return;
    }
    const out: Feeds = {};
    for (const [name, t] of Object.entries(msg.outputs)) out[name] = makeTensorLike(t.type, t.data, t.dims);
    w.resolve(out);
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  /**
   * Waits for runs in progress (and, with `waitForPins`, for the batches pinned here to
   * end), frees the native session and stops the thread. A batch still pinned then fails
   * at its next call.
   */
  async release(waitForPins = true): Promise<void> {
    if (this.active > 0 || (waitForPins && this.pins > 0)) await new Promise<void>((resolve) => this.drainWaiters.push({ pins: waitForPins, resolve }));
    this.releasing = true;
    if (!this.dead) {
      const released = new Promise<void>((resolve) => {
        const onMessage = (msg: WorkerReply) => {
          if (msg.type === 'released') {
            this.worker.off('message', onMessage);
            resolve();
          }
        };
        this.worker.on('message', onMessage);
        const msg: WorkerRequest = { type: 'release' };
        this.worker.postMessage(msg);
      });
      await Promise.race([released, new Promise((r) => setTimeout(r, 5000).unref())]);
      this.dead = new Error('replica released');
    }
    await this.worker.terminate();
  }
}
