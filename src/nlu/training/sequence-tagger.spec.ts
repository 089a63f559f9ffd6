import type { TrainingExample } from '../core/types';
import { entityScores } from './metrics';
import { SequenceTagger } from './sequence-tagger';
import { syntheticExamples } from './synthetic.fixture';
import type { Gazetteer } from './tagger-features';

const spans = (t: SequenceTagger, text: string) => t.predict(text).map(({ entity, text: s, start, end }) => ({ entity, text: s, start, end }));

/** A plain dictionary matcher, standing in for the project's gazetteer. */
function dictionaryGazetteer(entries: Record<string, string[]>): Gazetteer {
  return (text) => {
    const lower = text.toLowerCase();
    const out: { start: number; end: number; type: string }[] = [];
    for (const [type, words] of Object.entries(entries)) {
      for (const w of words) {
        for (let i = lower.indexOf(w.toLowerCase()); i >= 0; i = lower.indexOf(w.toLowerCase(), i + 1)) out.push({ start: i, end: i + w.length, type });
      }
    }
    return out;
  };
}

describe('SequenceTagger', () => {
  const train = syntheticExamples(3, 1);
  const tagger = SequenceTagger.train(train, { epochs: 10, seed: 1 });

  it('learns city/date/category spans with exact UTF-16 offsets in Chinese and English', () => {
    expect(tagger.tags).toEqual(['O', 'B-category', 'I-category', 'B-city', 'I-city', 'B-date', 'I-date']);
    expect(spans(tagger, '帮我查一下上海明天的天气')).toEqual([
      { entity: 'city', text: '上海', start: 5, end: 7 },
      { entity: 'date', text: '明天', start: 7, end: 9 },
    ]);
    expect(spans(tagger, 'will it rain in New York tomorrow')).toEqual([
      { entity: 'city', text: 'New York', start: 16, end: 24 },
      { entity: 'date', text: 'tomorrow', start: 25, end: 33 },
    ]);
    expect(spans(tagger, '给我推荐一些笔记本电脑')).toEqual([{ entity: 'category', text: '笔记本电脑', start: 6, end: 11 }]);
    // a supplementary-plane character before the entities shifts UTF-16 offsets by 2
    const e = tagger.predict('😀帮我查一下上海明天的天气');
    expect(e.map((x) => [x.start, x.end])).toEqual([
      [7, 9],
      [9, 11],
    ]);
    for (const x of e) {
      expect(x.extractor).toBe('tagger');
      expect(x.value).toBe(x.text);
      expect(x.confidence).toBeGreaterThan(0.5);
      expect(x.confidence).toBeLessThanOrEqual(1);
    }
    // unannotated fillers (order numbers, artists) are not entities
    expect(tagger.predict('where is my order 12345')).toEqual([]);
    expect(tagger.predict('播放一首周杰伦的歌')).toEqual([]);
  });

  it('scores well on new filler combinations and paraphrases', () => {
    const fresh = syntheticExamples(2, 99);
    const onFresh = entityScores(fresh.map((x) => x.entities), fresh.map((x) => tagger.predict(x.text)));
    expect(onFresh.overall.f1).toBeGreaterThanOrEqual(0.95);
    const held = syntheticExamples(3, 5, 'heldOut');
    const onHeld = entityScores(held.map((x) => x.entities), held.map((x) => tagger.predict(x.text)));
    expect(onHeld.overall.f1).toBeGreaterThanOrEqual(0.8);
  });

  it('round-trips through JSON and is deterministic', () => {
    const json = JSON.parse(JSON.stringify(tagger.toJSON()));
    const loaded = SequenceTagger.fromJSON(json);
    for (const x of syntheticExamples(1, 3)) expect(loaded.predict(x.text)).toEqual(tagger.predict(x.text));
    expect(SequenceTagger.train(train, { epochs: 10, seed: 1 }).toJSON()).toEqual(tagger.toJSON());
    expect(json).toMatchObject({ version: 2, usesBuiltins: true });
    expect(() => SequenceTagger.fromJSON({ ...json, version: 3 as 2 })).toThrow(/version-1 or -2/);
    expect(() => SequenceTagger.fromJSON({ ...json, version: 1 })).toThrow(/usesBuiltins/);
    // a tagger trained without the rule features stays version 1 and loads as such
    const plain = SequenceTagger.train(train, { epochs: 3, seed: 1, builtinFeatures: false }).toJSON();
    expect(plain.version).toBe(1);
    expect(plain.usesBuiltins).toBeUndefined();
    expect(SequenceTagger.fromJSON(plain).predict('上海明天天气')).toEqual(SequenceTagger.train(train, { epochs: 3, seed: 1, builtinFeatures: false }).predict('上海明天天气'));
  });

  it('tags date expressions it never saw when the built-in rules find them', () => {
    // the synthetic dates are tomorrow, today, next Monday, this weekend, on Friday, March 5
    const plain = SequenceTagger.train(train, { epochs: 10, seed: 1, builtinFeatures: false });
    const unseen = ["what's the weather in London on December 3", 'will it rain in Paris in two weeks'];
    expect(unseen.map((t) => spans(tagger, t).find((e) => e.entity === 'date')?.text)).toEqual(['on December 3', 'in two weeks']);
    expect(unseen.map((t) => spans(plain, t).find((e) => e.entity === 'date')?.text)).not.toEqual(['on December 3', 'in two weeks']);
  });

  it('uses gazetteer matches for entries never seen in training', () => {
    const cities = ['北京', '上海', '广州', '深圳', '杭州', '成都', '南京', '武汉', '西安', '重庆', 'Beijing', 'Shanghai', 'London', 'Paris', 'New York', 'Tokyo', 'Berlin', 'Sydney', 'Boston', 'Seattle'];
    const gaz = dictionaryGazetteer({ city: [...cities, '拉萨', '乌鲁木齐', 'Reykjavik'] });
    const withGaz = SequenceTagger.train(train, { epochs: 10, seed: 1 }, gaz);
    expect(spans(tagger, '帮我查一下乌鲁木齐明天的天气')).not.toContainEqual({ entity: 'city', text: '乌鲁木齐', start: 5, end: 9 });
    expect(spans(withGaz, '帮我查一下乌鲁木齐明天的天气')).toEqual([
      { entity: 'city', text: '乌鲁木齐', start: 5, end: 9 },
      { entity: 'date', text: '明天', start: 9, end: 11 },
    ]);
    expect(spans(withGaz, 'will it rain in Reykjavik tomorrow')[0]).toEqual({ entity: 'city', text: 'Reykjavik', start: 16, end: 25 });
    const json = withGaz.toJSON();
    expect(json.usesGazetteer).toBe(true);
    expect(() => SequenceTagger.fromJSON(json)).toThrow(/gazetteer/);
    expect(SequenceTagger.fromJSON(json, gaz).predict('拉萨明天会下雨吗')).toEqual(withGaz.predict('拉萨明天会下雨吗'));
  });

  it('widens annotations that cut a token and counts them', () => {
    const ex: TrainingExample[] = [
      { text: "fly to Paris's airport", intent: 'x', entities: [{ entity: 'city', start: 7, end: 12 }] },
      { text: 'fly to Parisian hotels', intent: 'x', entities: [{ entity: 'city', start: 7, end: 12 }] },
    ];
    const t = SequenceTagger.train(ex, { epochs: 5 });
    expect(t.stats.misalignedEntities).toBe(1); // "Paris" inside "Parisian"; "Paris's" splits at the apostrophe
    expect(t.predict('')).toEqual([]);
  });
});
