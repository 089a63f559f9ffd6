/**
 * Constrained decoding: which tokens may come next so that the output stays a prefix of
 * a document of a grammar. The vocabulary's decoded token texts are put in a prefix trie
 * once per model; a step's mask walks the trie from the matcher state, pruning every
 * subtree whose prefix the grammar already refuses, so a state costs one visit per viable
 * prefix rather than one full match per token. Masks are cached per grammar and state
 * key (inside an unbounded string, for example, every step has the same state), so most
 * steps cost a lookup and the mask's application in the sampler.
 */
import { advance, advanceText, GNode, initialState, isPlainStringChar, MatchState, plainStringRoom } from './grammar';

export interface TokenMask {
  /** allowed token ids, one bit each */
  bits: Uint32Array;
  /** also allowed (end-of-sequence ids when the document may end here) */
  extra: readonly number[];
}

/** What a Sequence asks of its constraint at each step. */
export interface TokenConstraint {
  /** the tokens allowed next */
  mask(): TokenMask;
  /** moves past a sampled token that is not an end-of-sequence id */
  advance(tokenId: number): void;
  /** the document is complete and nothing may follow: the sequence ends here */
  readonly finished: boolean;
}

interface TrieNode {
  chars: string[];
  kids: TrieNode[];
  /** tokens whose text ends at this node */
  tokens: number[];
}

/** Adds token `id` under the path of its characters. */
function insertToken(root: TrieNode, chars: Iterable<string>, id: number): void {
  let node = root;
  for (const ch of chars) {
    let i = node.chars.indexOf(ch);
    if (i < 0) {
      i = node.chars.length;
      node.chars.push(ch);
      node.kids.push({ chars: [], kids: [], tokens: [] });
    }
    node = node.kids[i];
  }
  node.tokens.push(id);
}

/** The vocabulary as decoded texts in a prefix trie. Tokens with no usable text (special, partial UTF-8) are left out. */
export class TokenTrie {
  readonly root: TrieNode = { chars: [], kids: [], tokens: [] };
  readonly size: number;
  readonly words: number;

  constructor(readonly texts: readonly (string | null)[]) {
    this.size = texts.length;
    this.words = (texts.length + 31) >>> 5;
    texts.forEach((text, id) => {
      if (!text) return;
      insertToken(this.root, text, id);
    });
  }

  /** Decoded text of each token through `decode`; texts with U+FFFD (a partial character) or empty are left out. */
  static fromDecoder(vocabSize: number, decode: (id: number) => string): TokenTrie {
    const texts = Array.from({ length: vocabSize }, (_, id) => {
      const t = decode(id);
      return t === '' || t.includes('\uFFFD') ? null : t;
    });
    return new TokenTrie(texts);
  }

  /**
   * The vocabulary of a tokenizer. Each token is decoded after an anchor token and the
   * anchor's text cut off, as vLLM and outlines do: SentencePiece decoders drop a lone
   * token's leading space ("▁hello" -> "hello"), which would make the grammar see other
   * text than the output.
   */
  static fromTokenizer(vocabSize: number, decode: (ids: number[]) => string, encode: (text: string) => number[]): TokenTrie {
    const anchor = encode('a')[0];
    const prefix = anchor === undefined ? '' : decode([anchor]);
    return TokenTrie.fromDecoder(vocabSize, (id) => {
      if (!prefix) return decode([id]);
      const both = decode([anchor, id]);
      return both.startsWith(prefix) ? both.slice(prefix.length) : decode([id]);
    });
  }

  /** for states inside a plain string: tokens of ordinary string characters only, by length, and a trie of the others */
  private plain?: { upTo: Uint32Array[]; rest: TrieNode };

  /**
   * Tokens whose whole text can follow `state`. Inside a plain string (most steps of most
   * documents) the tokens of ordinary characters that fit are one precomputed bitset, and
   * only the tokens holding a quote, backslash or control character are walked.
   */
  maskFor(state: MatchState): Uint32Array {
    const room = plainStringRoom(state);
    if (room !== undefined) {
      const plain = (this.plain ??= this.buildPlain());
      const bits = plain.upTo[Math.min(room, plain.upTo.length - 1)].slice();
      this.walk(plain.rest, state, bits);
      return bits;
    }
    const bits = new Uint32Array(this.words);
    this.walk(this.root, state, bits);
    return bits;
  }

  private walk(root: TrieNode, state: MatchState, bits: Uint32Array): void {
    const walk = (node: TrieNode, s: MatchState) => {
      for (let i = 0; i < node.chars.length; i++) {
        const next = advance(s, node.chars[i]);
        if (!next) continue;
        const kid = node.kids[i];
        for (const t of kid.tokens) bits[t >>> 5] |= 1 << (t & 31);
        if (next.threads.length && kid.kids.length) walk(kid, next);
      }
    };
    walk(root, state);
  }

  private buildPlain(): { upTo: Uint32Array[]; rest: TrieNode } {
    const lengths: number[] = [];
    const rest: TrieNode = { chars: [], kids: [], tokens: [] };
    let longest = 0;
    this.texts.forEach((text, id) => {
      if (!text) return;
      const chars = [...text];
      if (chars.every(isPlainStringChar)) {
        lengths[id] = chars.length;
        longest = Math.max(longest, chars.length);
        return;
      }
      insertToken(rest, chars, id);
    });
    // upTo[k]: plain tokens of at most k characters (the last entry: all of them)
    const upTo = Array.from({ length: longest + 1 }, () => new Uint32Array(this.words));
    lengths.forEach((len, id) => {
      if (len !== undefined) upTo[len][id >>> 5] |= 1 << (id & 31);
    });
    for (let k = 1; k <= longest; k++) for (let w = 0; w < this.words; w++) upTo[k][w] |= upTo[k - 1][w];
    return { upTo, rest };
  }
}

/** A grammar bound to a vocabulary, with its mask cache; shared by every sequence that uses it. */
export class CompiledGrammar {
  private readonly masks = new Map<string, Uint32Array>();
  readonly initial: MatchState;
  /** mask computations and cache hits, for the benchmark and stats */
  readonly counters = { computed: 0, cached: 0 };

  constructor(
    readonly root: GNode,
    readonly trie: TokenTrie,
    private readonly maxMasks = 4096,
  ) {
    this.initial = initialState(root);
  }

  mask(state: MatchState): Uint32Array {
    const hit = this.masks.get(state.key);
    if (hit) {
      this.counters.cached++;
      // refresh its place in the LRU order
      this.masks.delete(state.key);
      this.masks.set(state.key, hit);
      return hit;
    }
    this.counters.computed++;
    const bits = this.trie.maskFor(state);
    this.masks.set(state.key, bits);
    if (this.masks.size > this.maxMasks) this.masks.delete(this.masks.keys().next().value!);
    return bits;
  }
}

/** One sequence's walk through a grammar. */
export class GrammarConstraint implements TokenConstraint {
  private state: MatchState;

  constructor(
    private readonly grammar: CompiledGrammar,
    private readonly eosIds: readonly number[],
  ) {
    this.state = grammar.initial;
  }

  mask(): TokenMask {
    return { bits: this.grammar.mask(this.state), extra: this.state.accept ? this.eosIds : [] };
  }

  advance(tokenId: number): void {
    const text = this.grammar.trie.texts[tokenId];
    const next = text ? advanceText(this.state, text) : null;
    if (!next) throw new Error(`token ${tokenId} (${JSON.stringify(text)}) cannot continue the constrained output`);
    this.state = next;
  }

  get finished(): boolean {
    return this.state.accept && this.state.threads.length === 0;
  }
}
