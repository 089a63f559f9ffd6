import { IncrementalDecoder } from '../core/incremental-decoder';
import { SampledToken, Sampler, TokenLogprob } from '../core/sampling';
import { StopStringMatcher } from '../core/stop-strings';
import type { TokenConstraint } from '../structured/constraint';

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
  /** constrained decoding (structured output, forced tool calls): masks each step, ends the sequence when the document is complete */
  constraint?: TokenConstraint;
  /** called once with the finish event, whatever the reason (usage metering) */
  onFinish?: (e: FinishEvent) => void;
}

/**
 * One generated sequence: its sampler, streaming decoder and stop matcher, and the
 * events its caller reads (an async iterator). The engine calls `record` with each
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
  /** set by `record` when the recorded token ends the sequence; `finish` follows in `emit` */
  ending?: FinishReason;
  /** engine clock readings in ms (performance.now): when it was submitted, when its first token was sampled */
  readonly timing: { submitted?: number; firstToken?: number } = {};
  private pending?: SampledToken;
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

  get constraint(): TokenConstraint | undefined {
    return this.spec.constraint;
  }

  get cancelled(): boolean {
    return this.spec.signal?.aborted === true;
  }

  get signal(): AbortSignal | undefined {
    return this.spec.signal;
  }

  /**
   * Records a sampled token, so the next decode step can be built from it at once.
   * Returns true when the sequence ends with this token for reasons that need no text (a
   * stop token id, max_tokens, the context); the token's text, stop strings and events
   * follow in `emit`, which the engine runs while the model computes the next step.
   */
  record(token: SampledToken, contextLength: number): boolean {
    this.generated.push(token.tokenId);
    this.lastToken = token.tokenId;
    this.pending = token;
    const constraint = this.spec.constraint;
    if (this.spec.stopTokenIds.has(token.tokenId)) this.ending = 'stop';
    else if (constraint && (constraint.advance(token.tokenId), constraint.finished)) this.ending = 'stop';
    // The token would be fed at `position`; the context has no room for it.
    else if (this.generated.length >= this.maxTokens || this.position >= contextLength) this.ending = 'length';
    return this.ending !== undefined;
  }

  /** Turns the recorded token into text and events; returns true when this finished the sequence (a stop string may). */
  emit(): boolean {
    const token = this.pending;
    this.pending = undefined;
    if (!token || this.finished) return false;
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
    if (this.ending) {
      this.finish(this.ending);
      return true;
    }
    return false;
  }

  /** Finished, or ending with the recorded token: it takes no further decode steps. */
  get done(): boolean {
    return this.finished !== undefined || this.ending !== undefined;
  }

  /** Ends the sequence with its finish event; returns false when it had already finished. */
  finish(reason: FinishReason, stoppedByString = false, error?: Error): boolean {
    if (this.finished) return false;
    this.finished = reason;
    // A cancelled or failed sequence drops a token that was recorded but not yet emitted.
    this.pending = undefined;
    let text = '';
    if (reason !== 'cancelled' && reason !== 'error' && !stoppedByString) {
      text = this.matcher.push(this.decoder.flush()).text;
      if (!this.matcher.stopped) text += this.matcher.flush();
    }
    const event: FinishEvent = { type: 'finish', reason, text, promptTokens: this.promptIds.length, completionTokens: this.generated.length, error };
    this.push(event);
    this.spec.onFinish?.(event);
    return true;
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
