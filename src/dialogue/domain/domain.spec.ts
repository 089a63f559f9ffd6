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

  it('rules: the shop has one; each wrong rule is reported with its line', () => {
    const d = parseDomain(readFileSync(join(__dirname, '../assets/shop.yml'), 'utf8'));
    expect(d.rules).toEqual([{ name: '感谢之后问还需要什么', intent: 'thanks', conditions: {}, actions: [{ response: 'thanks' }, { response: 'anything_else' }] }]);
    const base = 'intents:\n  hi: { skill: respond, response: r }\n  buy: { skill: respond, response: r, form: f }\nslots:\n  city: { mappings: [{ type: from_text }] }\nforms:\n  f: { required_slots: [city] }\nresponses:\n  r: { zh: [好] }\n  ask_city: { zh: [哪里] }\n  fallback: { zh: [嗯] }\n  cancelled: { zh: [x] }\n  confirm_yes_no: { zh: [y] }\n';
    const p = problems(
      base +
        'rules:\n' +
        '  - rule: one\n    condition:\n      - slot_was_set:\n          - town: 上海\n    steps:\n      - intent: hi\n      - action: utter_nope\n' +
        '  - rule: two\n    steps:\n      - intent: bye\n      - action: buy\n' +
        '  - steps: [{ intent: hi }]\n',
    );
    expect(p).toEqual([
      { line: 18, path: 'rules[0].condition[0].slot_was_set[0].town', message: 'slot town is not declared under slots' },
      { line: 21, path: 'rules[0].steps[1].action', message: 'response nope is not declared under responses' },
      { line: 24, path: 'rules[1].steps[0].intent', message: 'intent bye is not declared under intents' },
      { line: 25, path: 'rules[1].steps[1].action', message: 'intent buy fills a form; a rule cannot run it' },
      { line: 26, path: 'rules[2]', message: 'needs a name: rule: <name>' },
      { line: 26, path: 'rules[2].steps', message: 'needs at least one action after the intent' },
    ]);
    const ok = parseDomain(base + 'rules:\n  - rule: in Shanghai\n    condition: [{ slot_was_set: [{ city: 上海 }] }]\n    steps: [{ intent: hi }, { action: utter_r }]\n');
    expect(ok.rules).toEqual([{ name: 'in Shanghai', intent: 'hi', conditions: { city: '上海' }, actions: [{ response: 'r' }] }]);
  });
});
