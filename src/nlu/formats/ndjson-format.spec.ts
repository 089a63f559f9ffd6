import type { NluTrainingData } from '../core/types';
import { readNdjsonTrainingData, toNdjson } from './ndjson-format';
import { problemsOf as problemsOfParse } from './problems-of.testing';

const problemsOf = (source: string) => problemsOfParse(readNdjsonTrainingData, source);

const sample: NluTrainingData = {
  examples: [
    { text: '播放周杰伦的歌', intent: 'PlayMusic', lang: 'zh', entities: [{ entity: 'artist', start: 2, end: 5 }] },
    { text: 'fly to NYC', intent: 'book.flight', entities: [{ entity: 'city', start: 7, end: 10, value: 'New York', role: 'to' }] },
  ],
  lookups: [{ name: 'city', elements: ['上海', 'Paris'] }],
  synonyms: [{ value: 'New York', synonyms: ['NYC'] }],
  regexes: [{ name: 'order_id', pattern: 'ORD-\\d{6}' }],
};

describe('NDJSON training data', () => {
  it('round-trips exactly, one object per line', () => {
    const text = toNdjson(sample);
    expect(text.trimEnd().split('\n')).toHaveLength(5);
    expect(readNdjsonTrainingData(text)).toEqual({ data: sample, stats: { duplicatesMerged: 0, textsNormalized: 0 } });
  });

  it('skips blank lines, takes CRLF and a BOM, and merges repeats', () => {
    const text = '\uFEFF{"text":"hi","intent":"greet"}\r\n\r\n{"text":" hi ","intent":"greet"}\r\n';
    expect(readNdjsonTrainingData(text)).toEqual({
      data: { examples: [{ text: 'hi', intent: 'greet', entities: [] }], lookups: [], synonyms: [], regexes: [] },
      stats: { duplicatesMerged: 1, textsNormalized: 1 },
    });
  });

  it('names the 1-based line and the field inside it', () => {
    const problems = problemsOf(['{"text":"ok","intent":"greet"}', '{"text":"x",', '[1]', '{"text":"y","intent":"a","entites":[]}', '{"lookup":"city","elements":"Paris"}', '{"text":"ok","intent":"bye"}'].join('\n'));
    const at = (line: number) => problems.find((p) => p.line === line);
    expect(at(2)?.message).toBe('invalid JSON');
    expect(at(3)?.message).toMatch(/must be a JSON object/);
    expect(at(4)).toMatchObject({ field: 'entites', message: expect.stringMatching(/unknown field "entites"/) });
    expect(at(5)?.message).toMatch(/needs lookup \(a string\) and elements \(a list of strings\)/);
    expect(at(6)?.message).toMatch(/different intents/);
  });
});
