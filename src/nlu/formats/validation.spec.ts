import type { NluTrainingData, TrainingExample } from '../core/types';
import {
  ProblemList,
  TRAINING_DATA_LIMITS,
  TrainingDataFormatError,
  assertValidTrainingData,
  checkName,
  formatProblem,
  validateTrainingData,
} from './validation';

function data(examples: TrainingExample[], rest: Partial<NluTrainingData> = {}): NluTrainingData {
  return { examples, lookups: [], synonyms: [], regexes: [], ...rest };
}

function problemsOf(d: NluTrainingData): string[] {
  const list = new ProblemList();
  validateTrainingData(d, list);
  return list.items.map(formatProblem);
}

describe('name rule', () => {
  it.each(['greet', 'weather_query', 'a1', '查询天气', 'ask_价格', 'x'.repeat(64), 'AddToPlaylist', 'timeRange', 'weather.query', 'faq-v2', '1abc', 'हिन्दी'])('accepts %s', (name) => {
    expect(checkName('intent', name)).toBeNull();
  });

  it.each(['', '_x', '.x', '-x', 'ask price', 'faq/x', 'a#b', 'x'.repeat(65)])('rejects %j', (name) => {
    expect(checkName('intent', name)).not.toBeNull();
  });

  it('shortens a long bad name in its message', () => {
    expect(checkName('intent', `a b${'x'.repeat(10_000)}`)!.length).toBeLessThan(300);
  });
});

describe('validateTrainingData', () => {
  const ok: TrainingExample = { text: 'buy Dune', intent: 'order_product', entities: [{ entity: 'book_title', start: 4, end: 8 }] };

  it('accepts valid data', () => {
    expect(problemsOf(data([ok]))).toEqual([]);
  });

  it.each<[string, Partial<TrainingExample>, RegExp]>([
    ['empty text', { text: '  ', entities: [] }, /text is empty/],
    ['long text', { text: 'x'.repeat(1001), entities: [] }, /longer than 1000 characters \(1001 characters\)/],
    ['line break', { text: 'a\nb', entities: [] }, /line break/],
    ['padding', { text: ' buy Dune', entities: [] }, /leading or trailing whitespace/],
    ['bad intent', { intent: 'Order me' }, /intent name "Order me" is invalid/],
    ['lone surrogate', { text: 'buy Dune\ud800', entities: [] }, /unpaired surrogate/],
    ['control character in a value', { entities: [{ entity: 'b', start: 4, end: 8, value: 'x\u0000' }] }, /entity value contains a control character/],
    ['bad entity', { entities: [{ entity: 'Bo ok', start: 4, end: 8 }] }, /entity name "Bo ok"/],
    ['span past end', { entities: [{ entity: 'b', start: 4, end: 9 }] }, /not inside the text/],
    ['empty span', { entities: [{ entity: 'b', start: 4, end: 4 }] }, /or is empty/],
    ['fractional', { entities: [{ entity: 'b', start: 1.5, end: 4 }] }, /integers/],
    ['whitespace span', { entities: [{ entity: 'b', start: 3, end: 8 }] }, /starts or ends with whitespace/],
    ['bad lang', { lang: 'fr' as never }, /lang "fr"/],
  ])('reports %s', (_name, change, message) => {
    expect(problemsOf(data([{ ...ok, ...change }])).join('\n')).toMatch(message);
  });

  it('reports overlapping entities', () => {
    const ex = { ...ok, entities: [{ entity: 'a', start: 0, end: 5 }, { entity: 'b', start: 4, end: 8 }] };
    expect(problemsOf(data([ex])).join('\n')).toMatch(/"Dune" \(b\) overlaps "buy D" \(a\)/);
  });

  it('reports a surrogate pair split by a span', () => {
    const ex: TrainingExample = { text: 'a😀b', intent: 'x', entities: [{ entity: 'e', start: 0, end: 2 }] };
    expect(problemsOf(data([ex])).join('\n')).toMatch(/surrogate pair/);
  });

  it('reports one text labelled with two intents, and a bad intent name only once', () => {
    const problems = problemsOf(
      data([
        { text: 'hi', intent: 'greet', entities: [] },
        { text: 'hi', intent: 'By e', entities: [] },
        { text: 'ciao', intent: 'By e', entities: [] },
      ]),
    );
    expect(problems.filter((p) => /"By e" is invalid/.test(p))).toEqual([expect.stringMatching(/\[2 times\]$/)]);
    expect(problems.join('\n')).toMatch(/different intents \("hi" is By e here and greet at entry 0 \(0-based\)\)/);
  });

  it('checks lookups, synonyms and regexes', () => {
    const problems = problemsOf(
      data([], {
        lookups: [{ name: 'Ci ty', elements: ['上海', ''] }, { name: 'x', elements: [] }],
        synonyms: [
          { value: 'Shanghai', synonyms: ['沪'] },
          { value: 'Beijing', synonyms: ['沪'] },
          { value: 'Empty', synonyms: [] },
        ],
        regexes: [{ name: 'order_id', pattern: '(?P<id>\\d+)' }, { name: 'ok', pattern: 'ORD-\\d{6}' }],
      }),
    ).join('\n');
    expect(problems).toMatch(/lookup name "Ci ty" is invalid/);
    expect(problems).toMatch(/elements\[1\]: lookup element is empty/);
    expect(problems).toMatch(/lookup has no elements/);
    expect(problems).toMatch(/"沪" is a synonym of both "Shanghai" and "Beijing"/);
    expect(problems).toMatch(/synonym lists no synonyms \("Empty"\)/);
    expect(problems).toMatch(/invalid regex \("\(\?P<id>\\\\d\+\)"/);
    expect(problems).not.toMatch(/ORD/);
  });

  it('refuses more examples than the limit', () => {
    const many = Array.from({ length: TRAINING_DATA_LIMITS.maxExamples + 1 }, (_, i) => ({ text: `t${i}`, intent: 'a', entities: [] }));
    expect(problemsOf(data(many))[0]).toMatch(/500001 examples; the limit per import is 500000/);
  });

  it('caps the problem list', () => {
    const bad = Array.from({ length: 150 }, (_, i) => ({ text: `t${i}`, intent: 'a', entities: [{ entity: `e ${i}`, start: 0, end: 1 }] }));
    const problems = problemsOf(data(bad));
    expect(problems).toHaveLength(TRAINING_DATA_LIMITS.maxProblems + 1);
    expect(problems[problems.length - 1]).toMatch(/more than 100 distinct problems/);
  });

  it('groups a repeated problem: one entry with its count and first places', () => {
    const list = new ProblemList();
    const bad = Array.from({ length: 40 }, (_, i) => ({ text: `t${i}`, intent: 'a', entities: [{ entity: 'e', start: 0, end: 9 }] }));
    validateTrainingData(data(bad), list, { examples: bad.map((_, i) => ({ entry: i, field: `[${i}]` })) });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ entry: 0, field: '[0].entities[0]', count: 40, detail: '0..9, text length 2', message: 'entity span is not inside the text or is empty' });
    expect(list.items[0].places!.map((p) => p.entry)).toEqual([0, 1, 2, 3, 4]);
    expect(formatProblem(list.items[0])).toMatch(/\[40 times\]$/);
  });

  it('attaches locations and field paths', () => {
    const list = new ProblemList();
    validateTrainingData(data([{ ...ok, entities: [{ entity: 'b', start: 0, end: 99 }] }]), list, {
      examples: [{ entry: 3, field: 'examples[3]' }],
    });
    expect(list.items[0]).toMatchObject({ entry: 3, field: 'examples[3].entities[0]' });
    expect(formatProblem(list.items[0])).toMatch(/^entry 3 \(0-based\), field examples\[3\]\.entities\[0\]: /);
  });
});

describe('assertValidTrainingData', () => {
  it('throws a TrainingDataFormatError with every problem', () => {
    let caught: unknown;
    try {
      assertValidTrainingData(data([{ text: '', intent: 'A B', entities: [] }]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TrainingDataFormatError);
    expect((caught as TrainingDataFormatError).problems).toHaveLength(2);
    expect((caught as Error).message).toMatch(/2 problems/);
  });
});
