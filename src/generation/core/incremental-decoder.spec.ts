import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env, PreTrainedTokenizer } from '@huggingface/transformers';
import { DecodeFn, IncrementalDecoder } from './incremental-decoder';

/** GPT-2's byte -> printable character map (bytes_to_unicode in the original encoder). */
function bytesToUnicode(): Map<number, string> {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [b, String.fromCodePoint(cs[i])]));
}

/**
 * A byte-level BPE tokenizer in GPT-2's format: 256 byte tokens (id = byte value), plus
 * merges that glue bytes across character boundaries, the case that breaks naive
 * streaming: 0xA0+0xE5 is the tail of 你 and the head of 好; 0xE4+0xBD the head of 你.
 */
function writeTokenizer(dir: string): void {
  const b2u = bytesToUnicode();
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[b2u.get(b)!] = b;
  const merges = [
    [0xa0, 0xe5],
    [0xe4, 0xbd],
    [0x20, 0xe4],
  ].map(([a, b], i) => {
    vocab[b2u.get(a)! + b2u.get(b)!] = 256 + i;
    return `${b2u.get(a)} ${b2u.get(b)}`;
  });
  vocab['<|endoftext|>'] = 259;
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: 259, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>', model_max_length: 1024 }),
  );
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('IncrementalDecoder with a real byte-level BPE tokenizer', () => {
  let root: string;
  let tok: PreTrainedTokenizer;
  let decode: DecodeFn;
  const encode = (text: string) => tok.encode(text, { add_special_tokens: false });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'llmos-bpe-'));
    writeTokenizer(join(root, 'tiny-bpe'));
    env.allowRemoteModels = false;
    env.localModelPath = root;
    tok = await AutoTokenizer.from_pretrained('tiny-bpe');
    decode = (ids) => tok.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function stream(ids: number[], promptIds: number[] = []): string[] {
    const d = new IncrementalDecoder(decode, promptIds);
    const pieces = ids.map((id) => d.push(id));
    pieces.push(d.flush());
    return pieces;
  }

  it('tokenizes Chinese into partial-character tokens (the fixture does what the tests need)', () => {
    const ids = encode('你好');
    expect(ids).toEqual([257, 256, 0xa5, 0xbd]);
    expect(decode(ids.slice(0, 2))).toContain('\uFFFD');
  });

  it.each([
    ['Chinese', '你好，世界！这是一个测试。'],
    ['emoji (4 bytes, modifiers, ZWJ)', 'ok 😀👍🏽 👩‍💻 done'],
    ['mixed', 'Hello 你好 world, 再见 😀!'],
    ['merges across characters', '你好你好 你好'],
  ])('streams %s as whole characters that add up to the full decode', (_, text) => {
    const ids = encode(text);
    const pieces = stream(ids);
    for (const p of pieces) expect(p).not.toContain('\uFFFD');
    expect(pieces.join('')).toBe(decode(ids));
    expect(pieces.join('')).toBe(text);
    // Every piece is well-formed on its own: no surrogate half waits for the next piece.
    for (const p of pieces) expect(p).not.toMatch(LONE_SURROGATE);
  });

  it('emits each Chinese character exactly when its last byte arrives', () => {
    const pieces = stream(encode('世界'));
    expect(pieces).toEqual(['', '', '世', '', '', '界', '']);
  });

  it('uses the prompt as context without emitting it', () => {
    const prompt = encode('问：');
    const ids = encode('答案是42');
    expect(stream(ids, prompt).join('')).toBe('答案是42');
  });

  it('continues a character the prompt started', () => {
    const all = encode('你好');
    // prompt ends inside 你 (the head token 0xE4 0xBD); generation completes it
    expect(stream(all.slice(1), all.slice(0, 1)).join('')).toBe('你好');
  });

  it('skips special tokens and flushes an incomplete tail as the full decode shows it', () => {
    const ids = [...encode('好'), 259, ...encode('吗').slice(0, 2)];
    const pieces = stream(ids);
    expect(pieces.slice(0, -1).join('')).toBe('好');
    expect(pieces[pieces.length - 1]).toBe('\uFFFD');
    expect(pieces.join('')).toBe(decode(ids));
  });

  it('keeps working past the compaction point on long outputs', () => {
    const text = '长文本测试 long text 😀 '.repeat(40);
    const ids = encode(text);
    expect(ids.length).toBeGreaterThan(600);
    expect(stream(ids).join('')).toBe(text);
  });
});

describe('IncrementalDecoder with a SentencePiece-style decoder', () => {
  // Like Llama's decoder: "▁" is a space, and a window's leading space is dropped.
  const pieces = ['▁Hello', '▁world', '!', '▁你', '好'];
  const decode: DecodeFn = (ids) => ids.map((i) => pieces[i]).join('').replace(/▁/g, ' ').replace(/^ /, '');

  it('keeps the spaces between words that one-token decoding would lose', () => {
    const d = new IncrementalDecoder(decode);
    const out = [0, 1, 2, 3, 4].map((id) => d.push(id));
    expect(out).toEqual(['Hello', ' world', '!', ' 你', '好']);
    expect([0, 1, 2, 3, 4].map((id) => decode([id])).join('')).toBe('Helloworld!你好');
  });

  it('gives the first generated word its space after a prompt', () => {
    const d = new IncrementalDecoder(decode, [0]);
    expect(d.push(1)).toBe(' world');
  });
});
