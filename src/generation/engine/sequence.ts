import { IncrementalDecoder } from '../core/incremental-decoder';
import { Sampler, TokenLogprob } from '../core/sampling';
import { StopStringMatcher } from '../core/stop-strings';

export type FinishReason = 'stop' | 'length' | 'cancelled' | 'error';

export interface TokenEvent {
  type: 'token';
  tokenId: number;
  /** text that became final with this token (may be '' while a character or stop string is pending) */
  text: string;
  logprob?: number;
  top?: TokenLogprob[];
}

export interface FinishEvent {
  type: 'finish';
  reason: FinishReason;
  /** text released at the end (held-back bytes or stop-string prefix that did not match) */
  text: string;
  promptTokens: number;
  completionTokens: number;
  error?: Error;
}

export type SequenceEvent = TokenEvent | FinishEvent;

export interface SequenceSpec {
  promptIds: number[];
  maxTokens: number;
  stopTokenIds: ReadonlySet<number>;
  stop: string[];
  sampler: Sampler;
  decode: (ids: number[]) => string;
  signal?: AbortSignal;
}

/**
 * One generated sequence: its sampler, streaming decoder and stop matcher, and the
 * events its caller reads (an async iterator). The engine calls `accept` with each
 * sampled token; everything per-sequence about when to stop lives here.
 */
export class Sequence {
  readonly promptIds: number[];
  readonly generated: number[] = [];
  readonly maxTokens: number;
  /** position id at which `lastToken` is fed (the engine advances it after each decode step) */
  position: number;
  /** the token to feed at the next decode step */
  lastToken = -1;
  finished?: FinishReason;
  private readonly decoder: IncrementalDecoder;
  private readonly matcher: StopStringMatcher;
  private readonly events: SequenceEvent[] = [];
  private wake?: () => void;

  constructor(
    readonly id: number,
    private readonly spec: SequenceSpec,
  ) {
    this.promptIds = spec.promptIds;
    this.maxTokens = spec.maxTokens;
    this.position = spec.promptIds.length;
    this.decoder = new IncrementalDecoder(spec.decode, spec.promptIds);
    this.matcher = new StopStringMatcher(spec.stop);
  }

  get sampler(): Sampler {
    return this.spec.sampler;
  }

  get cancelled(): boolean {
    return this.spec.signal?.aborted === true;
  }

  get signal(): AbortSignal | undefined {
    return this.spec.signal;
  }

  /** Records a sampled token; returns true when the sequence is finished. */
  accept(token: { tokenId: number; logprob?: number; top?: TokenLogprob[] }, contextLength: number): boolean {
    this.generated.push(token.tokenId);
    this.lastToken = token.tokenId;
    if (this.spec.stopTokenIds.has(token.tokenId)) {
      this.push({ type: 'token', tokenId: token.tokenId, text: '', logprob: token.logprob, top: token.top });
      this.finish('stop');
      return true;
    }
    const piece = this.decoder.push(token.tokenId);
    const out = this.matcher.push(piece);
    this.push({ type: 'token', tokenId: token.tokenId, text: out.text, logprob: token.logprob, top: token.top });
    if (out.stopped) {
      this.finish('stop', true);
      return true;
    }
    // The token would be fed at `position`; the context has no room for it.
    if (this.generated.length >= this.maxTokens || this.position >= contextLength) {
      this.finish('length');
      return true;
    }
    return false;
  }

  finish(reason: FinishReason, stoppedByString = false, error?: Error): void {
    if (this.finished) return;
    this.finished = reason;
    let text = '';
    if (reason !== 'cancelled' && reason !== 'error' && !stoppedByString) {
      text = this.matcher.push(this.decoder.flush()).text;
      if (!this.matcher.stopped) text += this.matcher.flush();
    }
    this.push({ type: 'finish', reason, text, promptTokens: this.promptIds.length, completionTokens: this.generated.length, error });
  }

  private push(e: SequenceEvent): void {
    this.events.push(e);
    this.wake?.();
  }

  /** The sequence's events, in order, ending with its finish event. */
  async *stream(): AsyncGenerator<SequenceEvent> {
    while (true) {
      while (this.events.length) {
        const e = this.events.shift()!;
        yield e;
        if (e.type === 'finish') return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
