import type { ExtractedEntity } from '../core/types';
import { EntityExtractionPipeline } from './pipeline';
import { InvalidRegexPatternError } from './regex-extractor';

// Wednesday 2026-11-25 10:00 in Shanghai.
const now = (): Date => new Date('2026-11-25T02:00:00Z');
const base = { now, timeZone: 'Asia/Shanghai' };
const slim = (es: ExtractedEntity[]): [string, string, unknown][] => es.map((e) => [e.entity, e.text, e.value]);

describe('EntityExtractionPipeline', () => {
  const pipeline = new EntityExtractionPipeline(base);

  it.each<[string, [string, string, unknown][]]>([
    ['今天的天气怎么样？', [['date', '今天', '2026-11-25']]],
    [
      '我要订购一本小说',
      [
        ['quantity', '一本', { amount: 1, unit: '本' }],
        ['category', '小说', '小说'],
      ],
    ],
    ['《斗破苍穹》', [['title', '《斗破苍穹》', '斗破苍穹']]],
    ['我正在浏览T恤衫，请推荐一些', [['category', 'T恤衫', 'T恤']]],
    [
      '明天下午3点半从上海寄两件连衣裙，预算200元',
      [
        ['datetime', '明天下午3点半', '2026-11-26T15:30'],
        ['city', '上海', '上海'],
        ['quantity', '两件', { amount: 2, unit: '件' }],
        ['category', '连衣裙', '连衣裙'],
        ['price', '200元', { amount: 200, currency: 'CNY' }],
      ],
    ],
    [
      'Book a flight to New York next Monday at 7:30 am for under $500',
      [
        ['city', 'New York', '纽约'],
        ['datetime', 'next Monday at 7:30 am', '2026-11-30T07:30'],
        ['price', '$500', { amount: 500, currency: 'USD' }],
      ],
    ],
    ['给我推荐几本《明天》这样的小说', [['title', '《明天》', '明天'], ['category', '小说', '小说']]],
  ])('%s', (text, expected) => {
    expect(slim(pipeline.extract(text))).toEqual(expected);
  });

  it('always returns offsets that slice to the text, sorted and non-overlapping', () => {
    const corpus = [
      '我想买iPhone，3千块以内，下周五前送到北京市朝阳区',
      '后天晚上7:30在东京见，电话+86 138 1234 5678',
      'Remind me tomorrow at 5pm to buy 3 bottles of wine for €30',
      '请在2025年3月5日下午2点前把一百二十本《三体》寄到深圳',
      'Email zhang@example.com or call (415) 555-0100 about 2 pairs of sneakers',
      '😀 今晚8点 🎉 tonight at 9 ¥99.9 ＴＥＥ 3/5/2025',
    ];
    for (const text of corpus) {
      const es = pipeline.extract(text);
      expect(es.length).toBeGreaterThan(1);
      let lastEnd = 0;
      for (const e of es) {
        expect(text.slice(e.start, e.end)).toBe(e.text);
        expect(e.start).toBeGreaterThanOrEqual(lastEnd);
        lastEnd = e.end;
      }
    }
  });

  it('merges regex, builtin and lookup by the documented rule', () => {
    const p = new EntityExtractionPipeline({
      ...base,
      regexes: [
        { name: 'model_no', pattern: '[A-Z]\\d{3}' },
        { name: 'digits', pattern: '\\d{2}' },
      ],
      lookups: [{ name: 'product', elements: ['X100'] }],
    });
    // Same span: regex beats lookup. Longer span: the price beats the shorter regex match.
    expect(slim(p.extract('X100 for 99元'))).toEqual([
      ['model_no', 'X100', 'X100'],
      ['price', '99元', { amount: 99, currency: 'CNY' }],
    ]);
  });

  it('applies synonyms after merging, to lookup values and extra lists alike', () => {
    const p = new EntityExtractionPipeline({
      ...base,
      synonyms: [
        { value: 'NYC', synonyms: ['纽约', 'big apple'] },
        { value: 'Apple', synonyms: ['苹果'] },
      ],
    });
    const tagger: ExtractedEntity = { entity: 'brand', value: '苹果', text: '苹果', start: 4, end: 6, confidence: 0.8, extractor: 'tagger' };
    expect(slim(p.extract('去纽约买苹果', 'zh', [[tagger]]))).toEqual([
      ['city', '纽约', 'NYC'],
      ['brand', '苹果', 'Apple'],
    ]);
  });

  it('re-slices extra entities from their offsets and drops those outside the text', () => {
    const text = '我想看斗破苍穹';
    const extra: ExtractedEntity[] = [
      { entity: 'work', value: 'x', text: 'wrong', start: 3, end: 7, confidence: 0.7, extractor: 'bert-ner' },
      { entity: 'bad', value: 'x', text: 'x', start: 5, end: 99, confidence: 0.9, extractor: 'bert-ner' },
      { entity: 'empty', value: 'x', text: '', start: 2, end: 2, confidence: 0.9, extractor: 'bert-ner' },
    ];
    expect(slim(pipeline.extract(text, 'zh', [extra]))).toEqual([['work', '斗破苍穹', 'x']]);
  });

  it('takes run-time gazetteer entries and registered extractors', () => {
    const p = new EntityExtractionPipeline(base);
    expect(p.extract('我想看斗罗大陆')).toEqual([]);
    p.gazetteer.add('product', ['斗罗大陆']);
    expect(slim(p.extract('我想看斗罗大陆'))).toEqual([['product', '斗罗大陆', '斗罗大陆']]);
    p.gazetteer.remove('product', ['斗罗大陆']);
    expect(p.extract('我想看斗罗大陆')).toEqual([]);

    p.addExtractor('shouty', (text) =>
      text.includes('WOW') ? [{ entity: 'exclaim', value: 'WOW', text: 'WOW', start: text.indexOf('WOW'), end: text.indexOf('WOW') + 3, confidence: 1, extractor: 'shouty' }] : [],
    );
    expect(slim(p.extract('so WOW'))).toEqual([['exclaim', 'WOW', 'WOW']]);
    expect(p.removeExtractor('shouty')).toBe(true);
    expect(p.extract('so WOW')).toEqual([]);
  });

  it('rejects bad regexes by name and keeps the old ones on a failed update', () => {
    expect(() => new EntityExtractionPipeline({ regexes: [{ name: 'loop', pattern: '(\\d+)+x' }] })).toThrow(InvalidRegexPatternError);
    const p = new EntityExtractionPipeline({ ...base, regexes: [{ name: 'code', pattern: 'ZX\\d+' }] });
    expect(() => p.setRegexes([{ name: 'bad', pattern: '(' }])).toThrow(/"bad"/);
    expect(slim(p.extract('ZX9'))).toEqual([['code', 'ZX9', 'ZX9']]);
  });

  it('can switch off built-ins, built-in gazetteers and titles', () => {
    const p = new EntityExtractionPipeline({ ...base, builtins: [], builtinLookups: [], titles: false });
    expect(p.extract('今天在北京买《三体》花了100元')).toEqual([]);
    const onlyDates = new EntityExtractionPipeline({ ...base, builtins: ['datetime'], builtinLookups: [] });
    expect(slim(onlyDates.extract('今天花了100元'))).toEqual([['date', '今天', '2026-11-25']]);
  });

  it('detects the language when none is given (day-first dates outside en/zh)', () => {
    expect(slim(pipeline.extract('Je voudrais une livraison le 3/5/2025'))).toEqual([['date', '3/5/2025', '2025-05-03']]);
    expect(slim(pipeline.extract('Deliver it on 3/5/2025'))).toEqual([['date', '3/5/2025', '2025-03-05']]);
  });

  it('refuses an unknown time zone', () => {
    expect(() => new EntityExtractionPipeline({ timeZone: 'Nowhere/Land' })).toThrow(/Unknown time zone/);
  });

  it('returns nothing for empty text', () => {
    expect(pipeline.extract('')).toEqual([]);
  });
});
