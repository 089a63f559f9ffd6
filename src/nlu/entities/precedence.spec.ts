import type { ExtractedEntity } from '../core/types';
import { pipelineOptionsFor, withDefaults } from './entity-settings';
import { EntityExtractionPipeline } from './pipeline';
import { applyTaggerPrecedence } from './precedence';

const base = { now: () => new Date('2026-11-25T02:00:00Z'), timeZone: 'Asia/Shanghai' };

/** A tagger entity over the first occurrence of `surface`. */
function tag(text: string, entity: string, surface: string): ExtractedEntity {
  const start = text.indexOf(surface);
  if (start < 0) throw new Error(`${surface} not in ${text}`);
  return { entity, value: surface, text: surface, start, end: start + surface.length, confidence: 0.8, extractor: 'tagger' };
}
const slim = (es: ExtractedEntity[]) => es.map((e) => [e.entity, e.text, e.value, e.extractor]);

describe('the user\'s tagger over built-ins and gazetteers', () => {
  const pipeline = new EntityExtractionPipeline(base);

  it('reports a number the user labels party_size as party_size, not number', () => {
    const text = 'book a table for 4 people';
    expect(slim(pipeline.extract(text, 'en', [[tag(text, 'party_size', '4')]]))).toEqual([
      ['category', 'table', '桌子', 'lookup'], // the default pipeline still has the shop list; the settings turn it off
      ['party_size', '4', '4', 'tagger'],
    ]);
    const zh = '订4位的桌子';
    expect(slim(pipeline.extract(zh, 'zh', [[tag(zh, 'party_size', '4')]])).map((e) => e[0])).toEqual(['party_size', 'category']);
  });

  it('reports a city the user labels location as location, not city', () => {
    for (const [text, city] of [['北京明天天气怎么样', '北京'], ['weather in Paris tomorrow', 'Paris']]) {
      const got = pipeline.extract(text, undefined, [[tag(text, 'location', city)]]);
      expect(got.find((e) => e.text === city)).toMatchObject({ entity: 'location', extractor: 'tagger' });
      expect(got.map((e) => e.entity)).not.toContain('city');
    }
  });

  it('keeps the resolved value of a built-in mapped to the user\'s name', () => {
    const options = pipelineOptionsFor(withDefaults({ builtins: { number: { entity: 'party_size' } }, gazetteers: { city: { entity: 'location' } } }), new Set());
    const mapped = new EntityExtractionPipeline({ ...base, ...options });
    const text = 'a table for 4 in Paris';
    expect(slim(mapped.extract(text, 'en', [[tag(text, 'party_size', '4')]]))).toEqual([
      ['party_size', '4', 4, 'builtin'],
      ['location', 'Paris', '巴黎', 'lookup'],
    ]);
    // where the tagger found nothing, the mapped built-ins still answer under the user's names
    expect(slim(mapped.extract('二十个人去上海'))).toEqual([
      ['party_size', '二十', 20, 'builtin'],
      ['location', '上海', '上海', 'lookup'],
    ]);
    expect(slim(mapped.extract('we are 12'))).toEqual([['party_size', '12', 12, 'builtin']]);
  });

  it('keeps a price whole when the tagger found only its number', () => {
    const text = 'a laptop under 5000 yuan';
    expect(slim(pipeline.extract(text, 'en', [[tag(text, 'price', '5000')]]))).toEqual([
      ['category', 'laptop', '笔记本电脑', 'lookup'],
      ['price', '5000 yuan', { amount: 5000, currency: 'CNY' }, 'builtin'],
    ]);
  });

  it('lets a gazetteer entry absorb a shorter tagger span of its own type', () => {
    const text = '今天昆明天气怎么样';
    const got = pipeline.extract(text, 'zh', [[tag(text, 'date', '今天'), tag(text, 'city', '昆'), tag(text, 'date', '明天')]]);
    expect(got.map((e) => [e.entity, e.text])).toEqual([
      ['date', '今天'],
      ['city', '昆明'],
    ]);
  });

  it('drops overlapping rules; a rule containing a tagger span of its name absorbs it', () => {
    const text = 'x';
    const b = (entity: string, start: number, end: number, extractor = 'builtin'): ExtractedEntity => ({ entity, value: null, text, start, end, confidence: 0.9, extractor });
    const rules = [b('number', 0, 2), b('city', 3, 6, 'lookup'), b('date', 8, 10)];
    const tagger = [b('party_size', 1, 2, 'tagger'), b('city', 4, 5, 'tagger'), b('date', 8, 10, 'tagger')];
    const out = applyTaggerPrecedence(rules, tagger);
    expect(out.rules).toEqual([rules[1], rules[2]]);
    expect(out.tagger).toEqual([tagger[0]]);
  });
});
