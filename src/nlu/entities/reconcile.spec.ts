import type { ExtractedEntity } from '../core/types';
import { EntityExtractionPipeline } from './pipeline';
import { reconcileWithTrained } from './reconcile';

const at = (text: string, entity: string, surface: string, extractor: string, value: unknown = surface): ExtractedEntity => {
  const start = text.indexOf(surface);
  return { entity, value, text: surface, start, end: start + surface.length, confidence: 0.9, extractor };
};

describe('reconcileWithTrained', () => {
  it("takes the trained type and inner span of a same-family built-in entity and keeps the built-in's value", () => {
    const text = 'weather on Friday, add 5 copies and 3 tees this weekend';
    const builtins = [
      at(text, 'date', 'on Friday', 'builtin', '2026-12-04'),
      at(text, 'quantity', '5 copies', 'builtin', { amount: 5, unit: 'copy' }),
      at(text, 'number', '3', 'builtin', 3),
      at(text, 'date_range', 'this weekend', 'builtin', { start: '2026-12-05', end: '2026-12-06' }),
    ];
    const tagger = [at(text, 'date', 'Friday', 'tagger'), at(text, 'quantity', '5', 'tagger'), at(text, 'quantity', '3', 'tagger'), at(text, 'date', 'this weekend', 'tagger')];
    const out = reconcileWithTrained(text, builtins, [tagger]);
    expect(out.map((e) => [e.entity, e.text, e.extractor])).toEqual([
      ['date', 'Friday', 'builtin'],
      ['quantity', '5', 'builtin'],
      ['quantity', '3', 'builtin'],
      ['date', 'this weekend', 'builtin'],
    ]);
    expect(out.map((e) => e.value)).toEqual(['2026-12-04', { amount: 5, unit: 'copy' }, { amount: 3, unit: '' }, { start: '2026-12-05', end: '2026-12-06' }]);
    for (const e of out) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it('leaves built-ins alone without a same-family trained entity inside them', () => {
    const text = 'buy 2 iPhone 15 next Monday';
    const builtins = [at(text, 'number', '2', 'builtin', 2), at(text, 'date', 'next Monday', 'builtin', '2026-12-07')];
    // a product over the number is another family; a trained date wider than the built-in one is not inside it
    const tagger = [at(text, 'product', '2 iPhone', 'tagger'), { ...at(text, 'date', 'Monday', 'tagger'), start: 14, end: 27, text: text.slice(14, 27) }];
    expect(reconcileWithTrained(text, builtins, [tagger])).toEqual(builtins);
    expect(reconcileWithTrained(text, builtins, [])).toEqual(builtins);
  });

  it('lets the pipeline report the training data\'s types where the tagger agrees with the rules', () => {
    const pipeline = new EntityExtractionPipeline({ timeZone: 'UTC', now: () => new Date('2026-11-25T10:00:00Z') });
    const text = 'will it snow this weekend';
    expect(pipeline.extract(text, 'en').map((e) => e.entity)).toEqual(['date_range']);
    const withTagger = pipeline.extract(text, 'en', [[at(text, 'date', 'this weekend', 'tagger')]]);
    expect(withTagger).toEqual([expect.objectContaining({ entity: 'date', text: 'this weekend', extractor: 'builtin', value: { start: '2026-11-28', end: '2026-11-29' } })]);
  });
});
