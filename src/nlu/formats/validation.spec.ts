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
  it.each(['greet', 'weather_query', 'a1', '查询天气', 'ask_价格', 'x'.repeat(64)])('accepts %s', (name) => {
    expect(checkName('intent', name)).toBeNull();
  });

  it.each(['', 'Greet', '1abc', '_x', 'ask price', 'faq/x', 'a.b', 'x'.repeat(65)])('rejects %j', (name) => {
    expect(checkName('intent', name)).not.toBeNull();
  });

  it('suggests lower case for capitalised names', () => {
    expect(checkName('intent', 'Greet')).toMatch(/use lower case/);
  });
});

describe('validateTrainingData', () => {
  const ok: TrainingExample = { text: 'buy Dune', intent: 'order_product', entities: [{ entity: 'book_title', start: 4, end: 8 }] };

  it('accepts valid data', () => {
    expect(problemsOf(data([ok]))).toEqual([]);
  });

  it.each<[string, Partial<TrainingExample>, RegExp]>([
    ['empty text', { text: '  ', entities: [] }, /text is empty/],
    ['long text', { text: 'x'.repeat(1001), entities: [] }, /limit is 1000/],
    ['line break', { text: 'a\nb', entities: [] }, /line break/],
    ['padding', { text: ' buy Dune', entities: [] }, /leading or trailing whitespace/],
    ['bad intent', { intent: 'Order' }, /intent name "Order" is invalid/],
    ['bad entity', { entities: [{ entity: 'Book', start: 4, end: 8 }] }, /entity name "Book"/],
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
        { text: 'hi', intent: 'Bye', entities: [] },
        { text: 'ciao', intent: 'Bye', entities: [] },
      ]),
    );
    expect(problems.filter((p) => /"Bye" is invalid/.test(p))).toHaveLength(1);
    expect(problems.join('\n')).toMatch(/"hi" is labelled Bye here and greet at entry 0/);
  });

  it('checks lookups, synonyms and regexes', () => {
    const problems = problemsOf(
      data([], {
        lookups: [{ name: 'City', elements: ['上海', ''] }, { name: 'x', elements: [] }],
        synonyms: [
          { value: 'Shanghai', synonyms: ['沪'] },
          { value: 'Beijing', synonyms: ['沪'] },
          { value: 'Empty', synonyms: [] },
        ],
        regexes: [{ name: 'order_id', pattern: '(?P<id>\\d+)' }, { name: 'ok', pattern: 'ORD-\\d{6}' }],
      }),
    ).join('\n');
    expect(problems).toMatch(/lookup name "City" is invalid/);
    expect(problems).toMatch(/elements\[1\]: lookup element is empty/);
    expect(problems).toMatch(/lookup has no elements/);
    expect(problems).toMatch(/"沪" is a synonym of both "Shanghai" and "Beijing"/);
    expect(problems).toMatch(/"Empty" lists no synonyms/);
    expect(problems).toMatch(/invalid regex "\(\?P<id>\\\\d\+\)"/);
    expect(problems).not.toMatch(/ORD/);
  });

  it('refuses more examples than the limit', () => {
    const many = Array.from({ length: TRAINING_DATA_LIMITS.maxExamples + 1 }, (_, i) => ({ text: `t${i}`, intent: 'a', entities: [] }));
    expect(problemsOf(data(many))[0]).toMatch(/50001 examples; the limit per import is 50000/);
  });

  it('caps the problem list', () => {
    const bad = Array.from({ length: 150 }, (_, i) => ({ text: `t${i}`, intent: 'a', entities: [{ entity: `E${i}`, start: 0, end: 1 }] }));
    const problems = problemsOf(data(bad));
    expect(problems).toHaveLength(TRAINING_DATA_LIMITS.maxProblems + 1);
    expect(problems[problems.length - 1]).toMatch(/more than 100 problems/);
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
      assertValidTrainingData(data([{ text: '', intent: 'A', entities: [] }]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TrainingDataFormatError);
    expect((caught as TrainingDataFormatError).problems).toHaveLength(2);
    expect((caught as Error).message).toMatch(/2 problems/);
  });
});
