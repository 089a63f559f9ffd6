import { TokenLogprob } from './core/sampling';
import { FinishReason, SequenceEvent } from './engine/sequence';

export interface GeneratedToken {
  id: number;
  text: string;
  logprob?: number;
  top?: TokenLogprob[];
}

export interface ChoiceResult {
  index: number;
  text: string;
  finishReason: FinishReason;
  completionTokens: number;
  tokens: GeneratedToken[];
}

export interface ChoiceDelta {
  index: number;
  /** new text, possibly '' */
  text: string;
  token?: GeneratedToken;
  finishReason?: FinishReason;
  completionTokens?: number;
  error?: Error;
}

/** Reads one choice's events to the end. A failed sequence rejects with its error. */
export async function collectChoice(index: number, stream: AsyncGenerator<SequenceEvent>): Promise<ChoiceResult> {
  let text = '';
  const tokens: GeneratedToken[] = [];
  for await (const e of stream) {
    if (e.type === 'token') {
      text += e.text;
      tokens.push({ id: e.tokenId, text: e.text, logprob: e.logprob, top: e.top });
      continue;
    }
    if (e.reason === 'error' || e.reason === 'cancelled') throw e.error ?? new Error(`generation ${e.reason}`);
    text += e.text;
    return { index, text, finishReason: e.reason, completionTokens: e.completionTokens, tokens };
  }
  throw new Error('generation stream ended without a finish event');
}

/** Merges the choices' event streams into one stream of deltas, in arrival order. */
export async function* mergeChoices(streams: AsyncGenerator<SequenceEvent>[]): AsyncGenerator<ChoiceDelta> {
  const pending = new Map<number, Promise<{ index: number; result: IteratorResult<SequenceEvent> }>>();
  const pull = (index: number) => pending.set(index, streams[index].next().then((result) => ({ index, result })));
  streams.forEach((_, i) => pull(i));
  while (pending.size) {
    const { index, result } = await Promise.race(pending.values());
    if (result.done) {
      pending.delete(index);
      continue;
    }
    const e = result.value;
    if (e.type === 'token') {
      yield { index, text: e.text, token: { id: e.tokenId, text: e.text, logprob: e.logprob, top: e.top } };
      pull(index);
    } else {
      pending.delete(index);
      yield { index, text: e.text, finishReason: e.reason, completionTokens: e.completionTokens, error: e.error };
    }
  }
}
