import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainInvalidError, parseDomain } from './domain';

const problems = (source: string) => {
  try {
    parseDomain(source);
  } catch (err) {
    if (err instanceof DomainInvalidError) return err.problems;
    throw err;
  }
  throw new Error('expected problems');
};

describe('domain files', () => {
  it('the bundled shop assistant is valid', () => {
    const d = parseDomain(readFileSync(join(__dirname, '../assets/shop.yml'), 'utf8'));
    expect(d.intents.order_product).toMatchObject({ skill: 'order', form: 'order_form' });
    expect(d.forms.order_form).toEqual({ required: ['product', 'quantity'], confirm: true });
    expect(d.membership).toEqual([{ id: 'annual', label: { zh: '包年会员', en: 'annual members' }, discount: 0.8 }]);
  });

  it('lists each problem with its line', () => {
    const p = problems('intents:\n  a:\n    skill: nope\n  b:\n    skill: weather\n    patterns: ["("]\nslots:\n  s:\n    type: date\nmembership:\n  - id: m\n    discount: 8\n');
    expect(p).toEqual(
      expect.arrayContaining([
        { line: 3, path: 'intents.a.skill', message: expect.stringMatching(/unknown skill nope/) },
        { line: 5, path: 'intents.b.skill', message: 'skill weather needs a response weather_report' },
        { line: 6, path: 'intents.b.patterns', message: expect.stringMatching(/pattern 1 is not a valid regular expression/) },
        { line: 9, path: 'slots.s.type', message: 'must be text or number' },
        { line: 12, path: 'membership[0].discount', message: expect.stringMatching(/\(0, 1\]/) },
        { line: undefined, path: 'responses', message: 'needs a response fallback' },
      ]),
    );
  });

  it('a form slot needs its question; YAML syntax errors name the line', () => {
    expect(problems('slots:\n  x: {}\nforms:\n  f:\n    required_slots: [x]\nintents:\n  i: { skill: respond, response: r }\nresponses:\n  r: { zh: [好] }\n')).toEqual(
      expect.arrayContaining([{ line: 5, path: 'forms.f.required_slots', message: 'slot x needs a response ask_x (the question that asks for it)' }]),
    );
    expect(problems('intents:\n  a: [\n')[0]).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/^not valid YAML/) });
  });
});
