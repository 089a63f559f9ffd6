import type { ExtractedEntity } from '../../core/types';
import { EntityExtractionPipeline } from '../pipeline';
import { extractBuiltins } from './index';
import { codeTokens, cutsWord } from './word-cuts';

// Wednesday 2026-11-25 10:00 in Shanghai.
const base = { now: () => new Date('2026-11-25T02:00:00Z'), timeZone: 'Asia/Shanghai' };
const spans = (es: ExtractedEntity[]) => es.map((e) => `${e.entity}:${e.text}@${e.start}`);

/**
 * A built-in match that cuts through a longer word loses to it (issue 9, item 5).
 * Each row: text, entities the whole default pipeline must report (type:text@start), and
 * spans it must not report.
 */
const CASES: [string, string[], string[]][] = [
  // cities whose names hold 天/明/今/后, next to a real date or not
  ['昆明天气怎么样', ['city:昆明@0'], ['date:明天@1']],
  ['今天昆明天气怎么样', ['date:今天@0', 'city:昆明@2'], ['date:明天@3', 'city:昆@2']],
  ['天水明天下雨吗', ['city:天水@0', 'date:明天@2'], []],
  ['天津今天', ['city:天津@0', 'date:今天@2'], []],
  ['后天去昆明', ['date:后天@0', 'city:昆明@3'], []],
  ['明天去天津', ['date:明天@0', 'city:天津@3'], []],
  // a weekday glued to the next word
  ['下周一起去吃饭', [], ['date:下周一@0']],
  ['周一到周五', ['date:周一@0', 'date:周五@3'], []],
  ['今年底', ['date_range:今年@0'], []],
  // numbers inside product codes
  ['我想买iPhone15', [], ['number:15@9']],
  ['buy an iPhone15 pro', [], ['number:15@13']],
  ['order SKU-2024-001', [], ['number:2024@10', 'number:001@15']],
  ['SKU-2024-001到了吗', [], ['number:2024@4', 'number:001@9']],
  ['A4纸两包', ['quantity:两包@3'], ['number:4@1']],
  ['5G手机', [], ['number:5@0']],
  ['buy 15 iPhones', ['number:15@4'], []],
  ['5kg rice', ['quantity:5kg@0'], []],
  ['3pm-5pm', ['datetime:3pm@0', 'datetime:5pm@4'], []],
  // English month names inside words
  ['Mayday concert', [], ['date:May@0']],
  ['marching band tomorrow', ['date:tomorrow@14'], []],
  ['may I book for march 5', ['date:march 5@15'], []],
];

describe('built-ins that cut through a word', () => {
  const pipeline = new EntityExtractionPipeline(base);

  it.each(CASES)('%s', (text, present, absent) => {
    const got = spans(pipeline.extract(text));
    for (const p of present) expect(got).toContain(p);
    for (const a of absent) expect(got).not.toContain(a);
  });

  it('keeps the raw matches when word boundaries are off', () => {
    expect(spans(extractBuiltins('昆明天气怎么样', { ...base, wordBoundaries: false }))).toContain('date:明天@1');
    expect(spans(extractBuiltins('昆明天气怎么样', base))).toEqual([]);
  });

  it('finds letter+digit codes and tells a cut from a match that begins a word', () => {
    expect(codeTokens('buy iPhone15, SKU-2024-001 or 2024-01 at 5pm')).toEqual([
      { start: 4, end: 12 },
      { start: 14, end: 26 },
      { start: 41, end: 44 },
    ]);
    expect(cutsWord({ start: 1, end: 3 }, { start: 0, end: 2 })).toBe(true); // 昆[明]天
    expect(cutsWord({ start: 0, end: 3 }, { start: 2, end: 4 })).toBe(true); // 下周[一]起
    expect(cutsWord({ start: 0, end: 2 }, { start: 0, end: 3 })).toBe(false); // 今年|底
  });
});
