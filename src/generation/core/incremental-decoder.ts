/**
 * Streaming detokenization. A byte-level BPE token can hold part of a UTF-8 character
 * (a Chinese character is 3 bytes, an emoji 4), and SentencePiece decoders drop the
 * leading space of whatever window they decode; decoding one token at a time breaks
 * both. The TGI/vLLM scheme: decode a short window `ids[prefix..]` and also
 * `ids[prefix..read)`, and emit the difference, but only once it does not end in
 * U+FFFD (an incomplete character). The window starts one step back so leading-space
 * rules see real context.
 *
 * `decode` must be deterministic and must not clean up tokenization spaces (HF's
 * `clean_up_tokenization_spaces` rewrites " ." across window edges); with a
 * transformers.js tokenizer: `(ids) => tok.decode(ids, { skip_special_tokens: true,
 * clean_up_tokenization_spaces: false })`.
 */

const REPLACEMENT = '\uFFFD';
/** Prompt tokens kept as context for the first generated token (vLLM uses 5). */
const PROMPT_CONTEXT = 5;
/** Drop tokens before the window once this many have piled up, so memory stays flat. */
const COMPACT_AFTER = 256;

export type DecodeFn = (ids: number[]) => string;

export class IncrementalDecoder {
  private ids: number[];
  private prefixOffset: number;
  private readOffset: number;

  /**
   * `promptIds`: the prompt's tokens, so the first generated token decodes in context
   * (its leading space, or a character the prompt began); they are never emitted.
   */
  constructor(
    private readonly decode: DecodeFn,
    promptIds: readonly number[] = [],
  ) {
    this.ids = promptIds.slice(-(PROMPT_CONTEXT + 1));
    this.prefixOffset = Math.max(0, this.ids.length - PROMPT_CONTEXT);
    this.readOffset = this.ids.length;
  }

  /** Adds one generated token; returns the text that became final (often ''). */
  push(tokenId: number): string {
    this.ids.push(tokenId);
    return this.advance(false);
  }

  /**
   * End of stream: returns whatever is still held, even an incomplete character
   * (as U+FFFD, the same as a full decode would show it).
   */
  flush(): string {
    return this.advance(true);
  }

  private advance(final: boolean): string {
    if (this.readOffset === this.ids.length) return '';
    // transformers.js refuses to decode an empty id list, so an empty window is ''.
    const prefixIds = this.ids.slice(this.prefixOffset, this.readOffset);
    const prefixText = prefixIds.length ? stripIncomplete(this.decode(prefixIds)) : '';
    const newText = this.decode(this.ids.slice(this.prefixOffset));
    if (!final && (newText.length <= prefixText.length || newText.endsWith(REPLACEMENT))) return '';
    // A window that cannot be compared (a decoder rewrote earlier text) is still
    // emitted from its common part, never by slicing mid-way through other text.
    const start = newText.startsWith(prefixText) ? prefixText.length : commonPrefixLength(prefixText, newText);
    const delta = newText.slice(start);
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    if (this.prefixOffset > COMPACT_AFTER) {
      this.ids = this.ids.slice(this.prefixOffset);
      this.readOffset -= this.prefixOffset;
      this.prefixOffset = 0;
    }
    return delta;
  }
}

/**
 * The prefix window can end mid-character only when the prompt did (its context was
 * never emitted); its trailing U+FFFD then stands for bytes the new window completes.
 */
function stripIncomplete(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === REPLACEMENT) end--;
  return end === text.length ? text : text.slice(0, end);
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
