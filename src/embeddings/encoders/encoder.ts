/** What every encoder (the built-in lexical one, store models) offers the EmbeddingsService. */

export interface EncoderInfo {
  id: string;
  dim: number;
  maxTokens: number;
  builtin: boolean;
  pooling: 'mean' | 'cls' | 'last' | 'hashed';
  prefixes?: { query?: string; passage?: string };
  matryoshka?: boolean;
}

export interface EncodeOutput {
  /** L2-normalized, one per input */
  vectors: Float32Array[];
  /** tokens the model saw, all inputs together */
  tokens: number;
  /** indices of the inputs cut to maxTokens */
  truncated: number[];
}

export interface Encoder {
  readonly info: EncoderInfo;
  embedTexts(texts: string[]): Promise<EncodeOutput>;
  /** present only for encoders with a tokenizer */
  embedTokens?(ids: number[][]): Promise<EncodeOutput>;
}

/** Texts per model run: the pool merges runs of concurrent requests up to the model's batch size. */
export const RUN_ROWS = 32;

/** Runs `fn` on consecutive slices of `items` concurrently (the pool queues them) and concatenates. */
export async function inSlices<T, R>(items: T[], size: number, fn: (slice: T[]) => Promise<R[]>): Promise<R[]> {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  return (await Promise.all(slices.map(fn))).flat();
}
