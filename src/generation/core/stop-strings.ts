/**
 * Streaming stop sequences. Text arrives in decoded increments; a stop string may be
 * split across any of them, so the matcher holds back the shortest tail that could
 * still begin a stop string and releases it once it cannot.
 *
 * Semantics (OpenAI): the output ends just before the stop string, which is not
 * included (unless `includeStopString`, vLLM's `include_stop_str_in_output`).
 * Generation stops at the first moment any stop string is complete: when several
 * complete in one increment, the one that ends first wins, and among those ending
 * together the one starting first (the longest). That is what a character-by-character
 * check would find, so the result never depends on how the text was chunked.
 */

/** OpenAI accepts at most this many stop strings per request. */
export const MAX_STOP_STRINGS = 4;

export interface StopPush {
  /** text safe to send now */
  text: string;
  /** true once a stop string matched; later pushes return empty text */
  stopped: boolean;
  /** the stop string that matched */
  stop?: string;
}

export class StopStringMatcher {
  private readonly stops: string[];
  private readonly includeStop: boolean;
  private held = '';
  private done = false;

  constructor(stops: readonly string[], options: { includeStopString?: boolean } = {}) {
    for (const s of stops) {
      if (typeof s !== 'string' || s.length === 0) throw new Error('StopStringMatcher: stop strings must be non-empty strings');
    }
    this.stops = [...new Set(stops)];
    this.includeStop = options.includeStopString ?? false;
  }

  get stopped(): boolean {
    return this.done;
  }

  /** Feeds the next decoded increment. */
  push(increment: string): StopPush {
    if (this.done) return { text: '', stopped: true };
    if (this.stops.length === 0) return { text: increment, stopped: false };
    const buffer = this.held + increment;
    // The held text matched nothing, so any match found now ends inside the increment.
    let bestStart = -1;
    let bestEnd = Infinity;
    let best: string | undefined;
    for (const stop of this.stops) {
      const at = buffer.indexOf(stop);
      if (at < 0) continue;
      const end = at + stop.length;
      if (end < bestEnd || (end === bestEnd && at < bestStart)) {
        bestStart = at;
        bestEnd = end;
        best = stop;
      }
    }
    if (best !== undefined) {
      this.done = true;
      this.held = '';
      return { text: buffer.slice(0, this.includeStop ? bestEnd : bestStart), stopped: true, stop: best };
    }
    const keep = this.partialMatchLength(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return { text: buffer.slice(0, buffer.length - keep), stopped: false };
  }

  /** At the end of generation (EOS, length): releases the held tail, which did not become a stop string. */
  flush(): string {
    const out = this.held;
    this.held = '';
    return this.done ? '' : out;
  }

  /** Length of the longest tail of `buffer` that is a proper prefix of some stop string. */
  private partialMatchLength(buffer: string): number {
    let keep = 0;
    for (const stop of this.stops) {
      for (let k = Math.min(stop.length - 1, buffer.length); k > keep; k--) {
        if (buffer.endsWith(stop.slice(0, k))) {
          keep = k;
          break;
        }
      }
    }
    // Never split a surrogate pair: hold the high half with its low half.
    const cut = buffer.length - keep;
    if (keep < buffer.length && cut > 0 && isHighSurrogate(buffer.charCodeAt(cut - 1))) keep++;
    return keep;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The token ids that end a sequence: the model's EOS ids (unless ignore_eos) plus the
 * request's stop_token_ids. The engine checks each sampled id against it; a stop token's
 * text is never emitted (OpenAI's finish_reason is "stop" either way).
 */
export function stopTokenSet(opts: {
  eosTokenIds?: readonly number[];
  stopTokenIds?: readonly number[];
  ignoreEos?: boolean;
}): ReadonlySet<number> {
  const ids = new Set<number>(opts.stopTokenIds ?? []);
  if (!opts.ignoreEos) for (const id of opts.eosTokenIds ?? []) ids.add(id);
  return ids;
}
