import type { CausalLmShape } from './model-shape';

/** One cached block: the keys and values of `blockTokens` prompt tokens, all layers, laid out [layer, key|value, head, token, dim]. */
interface Block {
  id: number;
  key: string;
  data: Float32Array;
  parent?: Block;
  /** cached blocks that continue this one (a block is evicted only when it has none) */
  children: number;
}

/** A prompt's longest cached prefix, whole blocks from its first token. */
export interface PrefixMatch {
  /** tokens covered: blocks.length x blockTokens */
  tokens: number;
  blocks: readonly Block[];
}

export const NO_MATCH: PrefixMatch = { tokens: 0, blocks: [] };

/** Where a sequence's keys and values sit in a [rows, heads, srcLen, dim] tensor per layer: row `row`, token 0 at column `start`. */
export interface KvSource {
  keys: readonly Float32Array[];
  values: readonly Float32Array[];
  row: number;
  srcLen: number;
  start: number;
}

export interface PrefixCacheStats {
  /** sequences that reused at least one cached block */
  hits: number;
  /** sequences that found none (with the cache on) */
  misses: number;
  /** prompt tokens whose keys and values came from the cache instead of a model run */
  reusedTokens: number;
  blocks: number;
  bytes: number;
  limitBytes: number;
  evictions: number;
  blockTokens: number;
}

/**
 * Automatic prefix caching, as vLLM's: prompts are cut into blocks of `blockTokens`
 * tokens; a block is identified by its tokens and by the block before it (so by the whole
 * prefix up to it: the same tokens at the same positions), and holds their keys and
 * values as the model computed them. A new prompt reuses the longest chain of cached
 * blocks from its start and the model runs only on the rest. Least recently used blocks
 * are evicted beyond `limitBytes`; a lookup touches a chain from its end back to its
 * root, so a block is always more recent than its continuations and eviction takes
 * leaves first (a chain is never cut in the middle). Plain TypeScript, main thread.
 */
export class PrefixCache {
  /** by key, least recently used first (a Map keeps insertion order; touching re-inserts) */
  private readonly blocks = new Map<string, Block>();
  private readonly blockBytes: number;
  private counts = { hits: 0, misses: 0, reusedTokens: 0, evictions: 0 };
  private nextId = 0;

  constructor(
    private readonly shape: Pick<CausalLmShape, 'layers' | 'kvHeads' | 'headDim' | 'bytesPerToken'>,
    private limitBytes: number,
    readonly blockTokens = 16,
  ) {
    this.blockBytes = blockTokens * shape.bytesPerToken;
  }

  get enabled(): boolean {
    return this.limitBytes >= this.blockBytes;
  }

  get bytes(): number {
    return this.blocks.size * this.blockBytes;
  }

  setLimit(bytes: number): void {
    this.limitBytes = bytes;
    this.evict();
  }

  stats(): PrefixCacheStats {
    return { ...this.counts, blocks: this.blocks.size, bytes: this.bytes, limitBytes: this.limitBytes, blockTokens: this.blockTokens };
  }

  /**
   * The longest cached prefix of `ids` of at most `maxTokens` tokens (a prompt keeps at
   * least its last token to run, whose logits give the first generated token). Counts a
   * hit or a miss and touches the blocks found.
   */
  lookup(ids: readonly number[], maxTokens = ids.length - 1): PrefixMatch {
    if (!this.enabled) return NO_MATCH;
    const found: Block[] = [];
    let parent: Block | undefined;
    for (let b = 0; (b + 1) * this.blockTokens <= maxTokens; b++) {
      const block = this.blocks.get(this.keyOf(ids, b, parent));
      if (!block) break;
      found.push(block);
      parent = block;
    }
    if (found.length === 0) {
      this.counts.misses++;
      return NO_MATCH;
    }
    for (let i = found.length - 1; i >= 0; i--) this.touch(found[i]);
    this.counts.hits++;
    return { tokens: found.length * this.blockTokens, blocks: found };
  }

  /** Caches the whole blocks of `ids` (the tokens whose keys and values `src` holds) that are not cached yet. */
  insert(ids: readonly number[], src: KvSource): void {
    if (!this.enabled) return;
    const chain: Block[] = [];
    let parent: Block | undefined;
    // a chain longer than the whole budget keeps its first blocks
    const most = Math.min(Math.floor(ids.length / this.blockTokens), Math.floor(this.limitBytes / this.blockBytes));
    for (let b = 0; b < most; b++) {
      const key = this.keyOf(ids, b, parent);
      let block = this.blocks.get(key);
      if (!block) {
        block = { id: this.nextId++, key, data: this.copyOut(src, b * this.blockTokens), parent, children: 0 };
        if (parent) parent.children++;
        this.blocks.set(key, block);
      }
      chain.push(block);
      parent = block;
    }
    for (let i = chain.length - 1; i >= 0; i--) this.touch(chain[i]);
    this.evict(new Set(chain));
  }

  /**
   * Writes the first `tokens` tokens of `match` (a lookup's result: the tokens count as
   * reused) into a [rows, heads, len, dim] past tensor per layer (`keys`, `values`), row `row`, starting at column `column`.
   */
  copyInto(match: PrefixMatch, tokens: number, keys: Float32Array[], values: Float32Array[], row: number, len: number, column: number): void {
    const { layers, kvHeads: H, headDim: D } = this.shape;
    const B = this.blockTokens;
    this.counts.reusedTokens += tokens;
    for (let b = 0; b * B < tokens; b++) {
      const data = match.blocks[b].data;
      const n = Math.min(B, tokens - b * B);
      for (let layer = 0; layer < layers; layer++) {
        for (let kind = 0; kind < 2; kind++) {
          const target = kind === 0 ? keys[layer] : values[layer];
          for (let h = 0; h < H; h++) {
            const from = ((layer * 2 + kind) * H + h) * B * D;
            const to = ((row * H + h) * len + column + b * B) * D;
            target.set(data.subarray(from, from + n * D), to);
          }
        }
      }
    }
  }

  private copyOut(src: KvSource, first: number): Float32Array {
    const { layers, kvHeads: H, headDim: D } = this.shape;
    const B = this.blockTokens;
    const data = new Float32Array(layers * 2 * H * B * D);
    for (let layer = 0; layer < layers; layer++) {
      for (let kind = 0; kind < 2; kind++) {
        const source = kind === 0 ? src.keys[layer] : src.values[layer];
        for (let h = 0; h < H; h++) {
          const from = ((src.row * H + h) * src.srcLen + src.start + first) * D;
          data.set(source.subarray(from, from + B * D), ((layer * 2 + kind) * H + h) * B * D);
        }
      }
    }
    return data;
  }

  /**
   * Block `b` of `ids` after `parent`: its tokens and its parent's id, so the key stands for
   * the whole prefix up to it (ids are never reused, and a parent outlives its children).
   */
  private keyOf(ids: readonly number[], b: number, parent?: Block): string {
    return `${parent?.id ?? ''}|${ids.slice(b * this.blockTokens, (b + 1) * this.blockTokens).join(',')}`;
  }

  private touch(block: Block): void {
    this.blocks.delete(block.key);
    this.blocks.set(block.key, block);
  }

  /** Drops least recently used leaves until the cache fits; `keep` (the chain just written) stays. */
  private evict(keep: ReadonlySet<Block> = new Set()): void {
    while (this.bytes > this.limitBytes) {
      let victim: Block | undefined;
      for (const block of this.blocks.values()) {
        if (block.children === 0 && !keep.has(block)) {
          victim = block;
          break;
        }
      }
      if (!victim) return;
      this.blocks.delete(victim.key);
      if (victim.parent) victim.parent.children--;
      this.counts.evictions++;
    }
  }
}
