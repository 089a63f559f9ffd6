import { AutoTokenizer, env } from '@huggingface/transformers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFixture } from '../../inference/fixtures/write-fixture';
import { batchPairs, encodePair, learnPairTemplate, specialCount, truncateLongestFirst } from './pairs';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('truncateLongestFirst', () => {
  it('leaves pairs that fit alone', () => {
    expect(truncateLongestFirst([1, 2], [3], 3)).toEqual({ a: [1, 2], b: [3], truncated: false });
  });

  it('cuts the longer side first, then both, the second on ties (as Hugging Face)', () => {
    // reference: remove one token at a time from the longer side, from the second on ties
    const reference = (a: number[], b: number[], budget: number) => {
      let [x, y] = [a.length, b.length];
      while (x + y > budget) {
        if (x > y) x--;
        else y--;
      }
      return [x, y];
    };
    for (const [na, nb, budget] of [[3, 20, 10], [20, 3, 10], [8, 8, 9], [7, 8, 6], [5, 5, 0], [1, 100, 2]]) {
      const cut = truncateLongestFirst(range(na), range(nb, 100), budget);
      expect([cut.a.length, cut.b.length]).toEqual(reference(range(na), range(nb), budget));
      expect(cut.truncated).toBe(true);
      expect(cut.b).toEqual(range(cut.b.length, 100)); // the ends go, the starts stay
    }
  });
});

describe('pair encoding with a BERT tokenizer', () => {
  const root = mkdtempSync(join(tmpdir(), 'llmos-pairs-'));
  let tokenizer: Awaited<ReturnType<typeof AutoTokenizer.from_pretrained>>;
  beforeAll(async () => {
    await writeFixture('cross-encoder', 'tiny', join(root, 'ce'));
    env.allowRemoteModels = false;
    env.localModelPath = `${root}/`;
    tokenizer = await AutoTokenizer.from_pretrained('ce');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const bare = (t: string) => tokenizer.encode(t, { add_special_tokens: false });
  const full = (a: string, b: string) => {
    const enc = tokenizer(a, { text_pair: b, return_token_type_ids: true });
    return { ids: Array.from(enc.input_ids.data, Number), types: Array.from(enc.token_type_ids!.data, Number) };
  };

  it("learns [CLS] A [SEP] B [SEP] and reproduces the tokenizer's own pair encoding", () => {
    const t = learnPairTemplate(full('query', 'document'), bare('query'), bare('document'));
    const [[cls], [sep]] = [bare('[CLS]'), bare('[SEP]')];
    expect(t).toMatchObject({ prefix: [cls], middle: [sep], suffix: [sep], typeA: 0, typeB: 1, middleTypes: [0], suffixTypes: [1] });
    expect(specialCount(t)).toBe(3);
    for (const [q, d] of [['What is the weather like in Beijing?', 'The weather in Beijing is sunny today.'], ['北京的天气', '今天北京天气晴朗，微风。'], ['emoji 🙂', 'x']]) {
      const mine = encodePair(t, bare(q), bare(d), 128);
      expect({ ids: mine.ids, types: mine.types }).toEqual(full(q, d));
      expect(mine.truncated).toBe(false);
    }
    // An empty document is still a pair, [CLS] q [SEP] [SEP], as in Hugging Face's Python
    // tokenizers (transformers.js treats text_pair '' as no pair at all).
    expect(encodePair(t, bare('q'), [], 128).ids).toEqual([...full('q', 'x').ids.filter((id) => !bare('x').includes(id))]);
  });

  it('truncates to the max length and keeps the final separator', () => {
    const t = learnPairTemplate(full('query', 'document'), bare('query'), bare('document'));
    const long = '今天的天气怎么样？今天天气晴朗，微风，最高气温二十五度，适合出门散步。'.repeat(10);
    const pair = encodePair(t, bare('北京天气'), bare(long), 64);
    expect(pair.ids).toHaveLength(64);
    expect(pair.truncated).toBe(true);
    expect(pair.ids.at(-1)).toBe(t.suffix[0]);
    expect(pair.ids.slice(1, 1 + bare('北京天气').length)).toEqual(bare('北京天气'));
  });
});

describe('batchPairs', () => {
  it('groups by length, pads right with the pad id and a zero mask, and remembers the rows', () => {
    const pairs = [
      { ids: [1, 2, 3, 4], types: [0, 0, 1, 1] },
      { ids: [1, 2], types: [0, 1] },
      { ids: [1, 2, 3], types: [0, 1, 1] },
    ];
    const batches = batchPairs(pairs, 2, 9);
    expect(batches.map((b) => b.rows)).toEqual([[1, 2], [0]]);
    expect(batches[0].width).toBe(3);
    expect(Array.from(batches[0].ids, Number)).toEqual([1, 2, 9, 1, 2, 3]);
    expect(Array.from(batches[0].mask, Number)).toEqual([1, 1, 0, 1, 1, 1]);
    expect(Array.from(batches[0].types, Number)).toEqual([0, 1, 0, 0, 1, 1]);
    expect(Array.from(batches[1].ids, Number)).toEqual([1, 2, 3, 4]);
  });
});
