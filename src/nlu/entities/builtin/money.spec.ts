import { extractPrices } from './money';

const prices = (text: string): [string, unknown][] => {
  const es = extractPrices(text);
  for (const e of es) {
    expect(text.slice(e.start, e.end)).toBe(e.text);
    expect(e.entity).toBe('price');
  }
  return es.map((e) => [e.text, e.value]);
};

describe('extractPrices', () => {
  it.each([
    ['100元', 100, 'CNY'],
    ['99.9块', 99.9, 'CNY'],
    ['三百块钱', 300, 'CNY'],
    ['¥100', 100, 'CNY'],
    ['￥100', 100, 'CNY'],
    ['人民币500', 500, 'CNY'],
    ['3万元', 30000, 'CNY'],
    ['5美元', 5, 'USD'],
    ['20欧元', 20, 'EUR'],
    ['3块5', 3.5, 'CNY'],
    ['3元5角', 3.5, 'CNY'],
    ['十块五', 10.5, 'CNY'],
    ['5毛', 0.5, 'CNY'],
    ['$5', 5, 'USD'],
    ['US$5.99', 5.99, 'USD'],
    ['5 dollars', 5, 'USD'],
    ['twenty bucks', 20, 'USD'],
    ['USD 20', 20, 'USD'],
    ['20 usd', 20, 'USD'],
    ['€3', 3, 'EUR'],
    ['£7', 7, 'GBP'],
    ['HK$100', 100, 'HKD'],
    ['$1,234.56', 1234.56, 'USD'],
  ])('%s', (text, amount, currency) => {
    expect(prices(text)).toEqual([[text, { amount, currency }]]);
  });

  it('finds prices inside sentences', () => {
    expect(prices('帮我找一件200元以内的连衣裙')).toEqual([['200元', { amount: 200, currency: 'CNY' }]]);
    expect(prices('Anything under $50 or 40 euros?')).toEqual([
      ['$50', { amount: 50, currency: 'USD' }],
      ['40 euros', { amount: 40, currency: 'EUR' }],
    ]);
  });

  it('keeps 块 as a measure word before a noun and 刀 as a knife after a Chinese numeral', () => {
    expect(prices('三块蛋糕')).toEqual([]);
    expect(prices('一刀切')).toEqual([]);
    expect(prices('100块的衣服')).toEqual([['100块', { amount: 100, currency: 'CNY' }]]);
  });

  it('does not read a jiao digit that belongs to something else', () => {
    expect(prices('3块5斤')).toEqual([['3块', { amount: 3, currency: 'CNY' }]]);
  });

  it('ignores bare numbers and currency words inside other words', () => {
    expect(prices('我要3个')).toEqual([]);
    expect(prices('5 eurozone members')).toEqual([]);
  });
});
