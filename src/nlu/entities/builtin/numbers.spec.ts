import type { ExtractedEntity } from '../../core/types';
import { extractNumbers, findNumbers, parseChineseNumber, parseEnglishNumber } from './numbers';
import { extractQuantities } from './quantity';

const slim = (es: ExtractedEntity[]): [string, unknown][] => es.map((e) => [e.text, e.value]);

function expectAligned(text: string, es: ExtractedEntity[]): void {
  for (const e of es) expect(text.slice(e.start, e.end)).toBe(e.text);
}

describe('parseChineseNumber', () => {
  it.each([
    ['三', 3],
    ['十', 10],
    ['十二', 12],
    ['二十', 20],
    ['一百二十', 120],
    ['一百零五', 105],
    ['一千零五十', 1050],
    ['两千', 2000],
    ['一万五', 15000],
    ['一百五', 150],
    ['两千三', 2300],
    ['3万', 30000],
    ['3万5千', 35000],
    ['1.5亿', 150000000],
    ['3.3万', 33000],
    ['一亿五千万', 150000000],
    ['二〇二五', 2025],
    ['壹佰贰拾', 120],
    ['零', 0],
  ])('%s = %d', (s, n) => {
    expect(parseChineseNumber(s)).toBe(n);
  });

  it.each(['万', '十二三', '百', '一二十', 'abc', ''])('rejects %s', (s) => {
    expect(parseChineseNumber(s)).toBeUndefined();
  });
});

describe('parseEnglishNumber', () => {
  it.each([
    ['twenty-one', 21],
    ['twenty one', 21],
    ['one hundred and five', 105],
    ['fifteen hundred', 1500],
    ['three thousand two hundred', 3200],
    ['a dozen', 12],
    ['two dozen', 24],
    ['a hundred', 100],
    ['one million five hundred thousand', 1500000],
  ])('%s = %d', (s, n) => {
    expect(parseEnglishNumber(s)).toBe(n);
  });

  it('rejects runs that are two numbers', () => {
    expect(parseEnglishNumber('five six')).toBeUndefined();
  });
});

describe('extractNumbers', () => {
  it('reads arabic numbers with separators and decimals', () => {
    const text = 'Total 1,234.5 and 3.75, minus -5 degrees';
    const es = extractNumbers(text);
    expect(slim(es)).toEqual([
      ['1,234.5', 1234.5],
      ['3.75', 3.75],
      ['-5', -5],
    ]);
    expectAligned(text, es);
    expect(es.every((e) => e.entity === 'number' && e.extractor === 'builtin')).toBe(true);
  });

  it('does not read a hyphen inside a word as a minus sign', () => {
    expect(slim(extractNumbers('COVID-19'))).toEqual([['19', 19]]);
  });

  it('reads Chinese numerals and mixed forms', () => {
    const text = '一共一百二十个，预算3万，市值1.5亿，来两千';
    const es = extractNumbers(text);
    expect(slim(es)).toEqual([
      ['一百二十', 120],
      ['3万', 30000],
      ['1.5亿', 150000000],
      ['两千', 2000],
    ]);
    expectAligned(text, es);
  });

  it('skips single numerals that are part of a word', () => {
    for (const text of ['请推荐一些', '我们一起去', '十分好', '万一下雨', '统一', '第一名']) {
      expect(extractNumbers(text)).toEqual([]);
    }
  });

  it('reads financial numerals only as whole amounts', () => {
    expect(slim(extractNumbers('金额壹佰贰拾元整'))).toEqual([['壹佰贰拾', 120]]);
    expect(extractNumbers('斗罗大陆')).toEqual([]);
    expect(extractNumbers('我们的队伍')).toEqual([]);
    expect(findNumbers('收拾三个房间').map((n) => [n.start, n.end, n.value])).toEqual([[2, 3, 3]]);
  });

  it('keeps a single numeral that stands alone', () => {
    expect(slim(extractNumbers('我要三'))).toEqual([['三', 3]]);
  });

  it('reads English number words but not the pronoun "one"', () => {
    const text = 'I need twenty-one cups and a dozen eggs, this one please';
    expect(slim(extractNumbers(text))).toEqual([
      ['twenty-one', 21],
      ['a dozen', 12],
    ]);
  });

  it('does not find number words inside other words', () => {
    expect(findNumbers('often a tennis stone')).toEqual([]);
  });
});

describe('extractQuantities', () => {
  it('reads Chinese measure words', () => {
    const text = '我要订购一本小说和两件T恤，再买一百二十本书、5公斤大米';
    const es = extractQuantities(text);
    expect(slim(es)).toEqual([
      ['一本', { amount: 1, unit: '本' }],
      ['两件', { amount: 2, unit: '件' }],
      ['一百二十本', { amount: 120, unit: '本' }],
      ['5公斤', { amount: 5, unit: '公斤' }],
    ]);
    expectAligned(text, es);
    expect(es.every((e) => e.entity === 'quantity')).toBe(true);
  });

  it('reads English units, singular and lower-cased', () => {
    const text = 'Send 5 pieces, two pairs and 3 Boxes';
    expect(slim(extractQuantities(text))).toEqual([
      ['5 pieces', { amount: 5, unit: 'piece' }],
      ['two pairs', { amount: 2, unit: 'pair' }],
      ['3 Boxes', { amount: 3, unit: 'box' }],
    ]);
  });

  it('does not take durations for counts', () => {
    expect(extractQuantities('三个月后')).toEqual([]);
    expect(extractQuantities('5g network')).toEqual([]);
  });
});
