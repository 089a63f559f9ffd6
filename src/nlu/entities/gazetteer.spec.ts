import type { ExtractedEntity } from '../core/types';
import { builtinLookupEntries, registerBuiltinLookups } from './builtin-lookups';
import { Gazetteer } from './gazetteer';
import { extractTitles } from './titles';

const found = (text: string, es: ExtractedEntity[]): [string, string, unknown][] => {
  for (const e of es) {
    expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(e.extractor).toBe('lookup');
  }
  return es.map((e) => [e.entity, e.text, e.value]);
};

describe('Gazetteer', () => {
  it('matches Chinese without boundaries and prefers the longest match', () => {
    const g = new Gazetteer([{ name: 'category', elements: ['T恤', 'T恤衫', '衫'] }]);
    const text = '我正在浏览T恤衫，请推荐一些';
    expect(found(text, g.extract(text))).toEqual([['category', 'T恤衫', 'T恤衫']]);
  });

  it('is case- and width-insensitive but keeps the original text and offsets', () => {
    const g = new Gazetteer([{ name: 'brand', elements: ['iPhone', 'New York'] }]);
    const text = '我想买ＩＰＨＯＮＥ，去 new york';
    expect(found(text, g.extract(text))).toEqual([
      ['brand', 'ＩＰＨＯＮＥ', 'iPhone'],
      ['brand', 'new york', 'New York'],
    ]);
  });

  it('needs word boundaries around Latin forms', () => {
    const g = new Gazetteer([{ name: 'city', elements: ['Nice', 'York'] }]);
    expect(g.extract('Venice and Yorkshire')).toEqual([]);
    expect(found('Nice, York.', g.extract('Nice, York.'))).toEqual([
      ['city', 'Nice', 'Nice'],
      ['city', 'York', 'York'],
    ]);
    expect(found('去Nice玩', g.extract('去Nice玩'))).toEqual([['city', 'Nice', 'Nice']]);
  });

  it('honours case-sensitive forms', () => {
    const g = new Gazetteer();
    g.add('city', ['Nice'], { canonical: '尼斯', caseSensitive: true });
    expect(g.extract('the weather is nice')).toEqual([]);
    expect(found('weather in Nice', g.extract('weather in Nice'))).toEqual([['city', 'Nice', '尼斯']]);
  });

  it('adds and removes forms at run time', () => {
    const g = new Gazetteer();
    expect(g.extract('我想看斗破苍穹')).toEqual([]);
    expect(g.add('product', ['斗破苍穹', '斗罗大陆'])).toBe(2);
    expect(g.size).toBe(2);
    expect(found('我想看斗破苍穹', g.extract('我想看斗破苍穹'))).toEqual([['product', '斗破苍穹', '斗破苍穹']]);
    expect(g.remove('product', ['斗破苍穹'])).toBe(1);
    expect(g.extract('我想看斗破苍穹')).toEqual([]);
    expect(g.has('product', '斗罗大陆')).toBe(true);
    expect(g.has('product', '斗破苍穹')).toBe(false);
    expect(g.remove('product')).toBe(1);
    expect(g.size).toBe(0);
    expect(g.extract('斗罗大陆')).toEqual([]);
  });

  it('keeps a prefix alive when a longer form is removed, and the other way round', () => {
    const g = new Gazetteer([{ name: 'x', elements: ['abc', 'abcdef'] }]);
    g.remove('x', ['abcdef']);
    expect(found('abc', g.extract('abc'))).toEqual([['x', 'abc', 'abc']]);
    g.add('x', ['abcdef']);
    g.remove('x', ['abc']);
    expect(g.extract('abc')).toEqual([]);
    expect(found('abcdef', g.extract('abcdef'))).toEqual([['x', 'abcdef', 'abcdef']]);
  });

  it('lets the latest added form win on the very same span', () => {
    const g = new Gazetteer();
    g.add('category', ['小说']);
    g.add('genre', ['小说']);
    expect(g.extract('小说').map((e) => e.entity)).toEqual(['genre']);
  });

  it('maps a group of forms to one canonical value', () => {
    const g = new Gazetteer();
    g.add('category', ['T恤', 'T恤衫', 't-shirt'], { canonical: 'T恤' });
    expect(g.extract('a T-Shirt').map((e) => e.value)).toEqual(['T恤']);
  });

  it('rejects an empty type name', () => {
    expect(() => new Gazetteer([{ name: ' ', elements: ['x'] }])).toThrow(/non-empty name/);
  });

  it('stays correct across many additions and removals', () => {
    const g = new Gazetteer();
    const words = Array.from({ length: 3000 }, (_, i) => `词${i.toString(36)}条`);
    g.add('w', words);
    g.remove('w', words.filter((_, i) => i % 2 === 0));
    expect(g.size).toBe(1500);
    for (let i = 0; i < words.length; i += 97) {
      expect(g.has('w', words[i])).toBe(i % 2 === 1);
    }
  });
});

describe('built-in lookups', () => {
  const g = new Gazetteer();
  registerBuiltinLookups(g);

  it('ships enough data', () => {
    const cities = builtinLookupEntries('city');
    const cn = cities.filter((c) => c.forms.some((f) => f.endsWith('市')));
    expect(cn.length).toBeGreaterThanOrEqual(150);
    expect(cities.length - cn.length).toBeGreaterThanOrEqual(150);
    expect(builtinLookupEntries('category').length).toBeGreaterThanOrEqual(60);
  });

  it('never maps one surface form to two canonical values', () => {
    for (const type of ['city', 'category'] as const) {
      const owner = new Map<string, string>();
      for (const e of builtinLookupEntries(type)) {
        for (const f of [...e.forms, ...(e.caseSensitiveForms ?? [])]) {
          const key = f.toLowerCase();
          expect([key, owner.get(key) ?? e.canonical]).toEqual([key, e.canonical]);
          owner.set(key, e.canonical);
        }
      }
    }
  });

  it.each([
    ['明天北京的天气', 'city', '北京', '北京'],
    ['北京市下雨吗', 'city', '北京市', '北京'],
    ['weather in Beijing', 'city', 'Beijing', '北京'],
    ['我要去纽约', 'city', '纽约', '纽约'],
    ['flights to New York', 'city', 'New York', '纽约'],
    ['东京今天冷吗', 'city', '东京', '东京'],
    ['Paris in spring', 'city', 'Paris', '巴黎'],
    ['我正在浏览T恤衫，请推荐一些', 'category', 'T恤衫', 'T恤'],
    ['我要订购一本小说', 'category', '小说', '小说'],
    ['some new sneakers', 'category', 'sneakers', '运动鞋'],
    ['推荐一款手机', 'category', '手机', '手机'],
    ['看看连衣裙', 'category', '连衣裙', '连衣裙'],
  ])('%s -> %s %s', (text, entity, surface, value) => {
    expect(found(text, g.extract(text))).toEqual([[entity, surface, value]]);
  });

  it('does not take everyday words for cities', () => {
    expect(g.extract('It is nice in Venice').map((e) => e.text)).toEqual(['Venice']);
    expect(g.extract('我想买白银').filter((e) => e.entity === 'city')).toEqual([]);
    expect(g.extract('白银市').map((e) => e.value)).toEqual(['白银']);
    expect(g.extract('来一个汉堡').filter((e) => e.entity === 'city')).toEqual([]);
  });
});

describe('extractTitles', () => {
  it('recognises unknown titles in 《》 and reports the inner text as value', () => {
    const text = '我想看《斗破苍穹》和〈学而〉';
    const es = extractTitles(text);
    expect(found(text, es)).toEqual([
      ['title', '《斗破苍穹》', '斗破苍穹'],
      ['title', '〈学而〉', '学而'],
    ]);
  });

  it('trims padding and skips empty marks', () => {
    expect(extractTitles('《 三体 》').map((e) => e.value)).toEqual(['三体']);
    expect(extractTitles('《》和《  》')).toEqual([]);
    expect(extractTitles('没有书名')).toEqual([]);
  });
});
