import { BOS, entityMarker, Featurizer, featurize, featurizeDense, SparseFeatures } from './featurizer';
import { normalizeText } from './text';

function has(f: SparseFeatures, index: number): boolean {
  return Array.prototype.includes.call(f.indices, index);
}

describe('Featurizer', () => {
  const fz = new Featurizer({ dim: 1 << 16 });

  it('is deterministic, sorted, unique, in range and L2-normalized', () => {
    for (const text of ['明天北京天气怎么样？', 'Book a flight to Paris tomorrow', '我想订一张去 New York 的机票']) {
      const a = fz.featurize(text);
      const b = new Featurizer({ dim: 1 << 16 }).featurize(text);
      expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
      expect(Array.from(a.values)).toEqual(Array.from(b.values));
      expect(a.indices.length).toBeGreaterThan(10);
      for (let i = 1; i < a.indices.length; i++) expect(a.indices[i]).toBeGreaterThan(a.indices[i - 1]);
      expect(Math.max(...a.indices)).toBeLessThan(1 << 16);
      expect(Math.min(...a.indices)).toBeGreaterThanOrEqual(0);
      expect(Math.hypot(...a.values)).toBeCloseTo(1, 5);
    }
  });

  it('has Chinese character n-grams with boundaries, jieba words and word bigrams', () => {
    const f = fz.featurize('明天北京天气怎么样');
    expect(has(f, fz.slot('char', '天').index)).toBe(true);
    expect(has(f, fz.slot('char', '天气').index)).toBe(true);
    expect(has(f, fz.slot('char', '北京天气').index)).toBe(true);
    expect(has(f, fz.slot('char', ' 明天').index)).toBe(true); // start-of-text boundary
    expect(has(f, fz.slot('char', '么样 ').index)).toBe(true); // end-of-text boundary
    expect(has(f, fz.slot('word', '北京').index)).toBe(true); // jieba segment
    expect(has(f, fz.slot('bigram', ['北京', '天气']).index)).toBe(true);
    expect(has(f, fz.slot('bigram', [BOS, '明天']).index)).toBe(true);
    // a 4-gram that is not in the text is not a feature of it
    expect(has(f, fz.slot('char', '上海天气').index)).toBe(false);
  });

  it('has English character n-grams, words and bigrams', () => {
    const f = fz.featurize('Book a flight to Paris');
    expect(has(f, fz.slot('char', 'flig').index)).toBe(true);
    expect(has(f, fz.slot('char', ' to ').index)).toBe(true);
    expect(has(f, fz.slot('word', 'paris').index)).toBe(true); // lower-cased
    expect(has(f, fz.slot('bigram', ['a', 'flight']).index)).toBe(true);
    expect(has(f, fz.slot('word', 'Paris').index)).toBe(false);
  });

  it('gives full-width and half-width forms, case and spacing variants the same features', () => {
    const same = (a: string, b: string) => {
      const x = fz.featurize(a);
      const y = fz.featurize(b);
      expect(Array.from(x.indices)).toEqual(Array.from(y.indices));
      expect(Array.from(x.values)).toEqual(Array.from(y.values));
    };
    same('ＢＯＯＫ　ａ　ＦＬＩＧＨＴ！', 'book a flight!');
    same('你好，世界。「测试」', '你好,世界."测试"');
    same('订单１２３４５到哪了？', '订单12345到哪了?');
    same('  Hello \t World  ', 'hello world');
    // digits are folded: order numbers look alike
    same('where is order 12345', 'where is order 67890');
    expect(normalizeText('Ｈｅｌｌｏ，　ＷＯＲＬＤ。')).toBe('hello, world.');
    // but different words differ
    expect(Array.from(fz.featurize('book a flight').indices)).not.toEqual(Array.from(fz.featurize('book a hotel').indices));
  });

  it('uses both signs and damps repeated features', () => {
    const f = fz.featurize('book a flight to paris tomorrow');
    expect(f.values.some((v) => v < 0)).toBe(true);
    expect(f.values.some((v) => v > 0)).toBe(true);
    const once = fz.featurize('ok');
    const many = fz.featurize('ok ok ok ok ok ok ok ok');
    expect(many.indices.length).toBeGreaterThan(once.indices.length); // bigrams "ok ok" and char n-grams across words
    const okSlot = fz.slot('word', 'ok').index;
    const i = Array.prototype.indexOf.call(many.indices, okSlot);
    // tf 8 -> 1 + ln 8 ≈ 3.08, not 8, before normalization
    expect(Math.abs(many.values[i])).toBeLessThan(0.5);
  });

  it('writes the same numbers densely', () => {
    const row = new Float32Array(3 * (1 << 16)).fill(7);
    featurizeDense('天气预报', row, 1 << 16);
    const s = featurize('天气预报');
    let nonZero = 0;
    for (let i = 0; i < 1 << 16; i++) if (row[(1 << 16) + i] !== 0) nonZero++;
    expect(nonZero).toBe(s.indices.length);
    s.indices.forEach((idx, j) => expect(row[(1 << 16) + idx]).toBe(s.values[j]));
    expect(row[0]).toBe(7); // other rows untouched
    expect(() => featurizeDense('x', new Float32Array(10))).toThrow(/outside/);
  });

  it('masks entity spans with one marker per type when entityMask is set (version 2)', () => {
    const masked = new Featurizer({ entityMask: { lookups: [{ name: 'product', elements: ['MacBook Pro', '华为FreeBuds'] }], regexes: [{ name: 'order_id', pattern: 'ORD-\\d+' }] } });
    expect(masked.config.version).toBe(2);
    expect(fz.config.version).toBe(1);
    const product = entityMarker('product');
    expect(masked.maskEntities('MacBook Pro的报价')).toBe(` ${product} 的报价`);
    // products, cities, dates and regex matches all become markers, the rest stays
    const m = masked.maskEntities('明天上海会下雨吗, order ORD-123');
    expect(m).toContain(entityMarker('date'));
    expect(m).toContain(entityMarker('city'));
    expect(m).toContain(entityMarker('order_id'));
    expect(m).not.toMatch(/明天|上海|ORD/);
    expect(m).toContain('会下雨吗');
    // two products in the same frame get the same features; without masking they differ
    const same = (f: Featurizer, a: string, b: string) => Array.from(f.featurize(a).indices).join() === Array.from(f.featurize(b).indices).join();
    expect(same(masked, 'MacBook Pro的报价', '华为FreeBuds的报价')).toBe(true);
    expect(same(fz, 'MacBook Pro的报价', '华为FreeBuds的报价')).toBe(false);
    // the marker is a word of its own (unigram and bigrams), not punctuation
    const f = masked.featurize('MacBook Pro的报价');
    expect(has(f, masked.slot('word', product).index)).toBe(true);
    expect(has(f, masked.slot('bigram', [BOS, product]).index)).toBe(true);
    // a loaded config reproduces the features, and a version that contradicts the settings is refused
    const loaded = new Featurizer(JSON.parse(JSON.stringify(masked.config)));
    expect(Array.from(loaded.featurize('MacBook Pro的报价').values)).toEqual(Array.from(f.values));
    expect(() => new Featurizer({ ...masked.config, version: 1 })).toThrow(/version/);
    expect(() => new Featurizer({ version: 2 })).toThrow(/version/);
  });

  it('handles empty text and rejects bad configs', () => {
    expect(fz.featurize('   ').indices.length).toBe(0);
    expect(() => new Featurizer({ dim: 1000 })).toThrow(/power of two/);
    expect(() => new Featurizer({ charNgramMin: 3, charNgramMax: 2 })).toThrow(/n-gram/);
  });
});
