import type { Feeds } from './batch-tensors';
import type { Replica } from './model-queue';
import { CreatedSession, ExecutionProvider, OrtSession, releaseSession, runSession } from '../runtime/ort';

/** One ONNX Runtime session of a model, counting its runs so a swap can wait for them. */
export class SessionReplica implements Replica {
  private active = 0;
  private waiters: Array<() => void> = [];
  readonly session: OrtSession;
  readonly provider: ExecutionProvider;

  constructor(
    readonly id: number,
    created: CreatedSession,
  ) {
    this.session = created.session;
    this.provider = created.provider;
  }

  async run(feeds: Feeds): Promise<Feeds> {
    this.active++;
    try {
      return await runSession(this.session, feeds);
    } finally {
      this.active--;
      if (this.active === 0) this.waiters.splice(0).forEach((w) => w());
    }
  }

  /** Waits for runs in progress, then frees the native session. */
  async release(): Promise<void> {
    if (this.active > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    await releaseSession(this.session);
  }
}
