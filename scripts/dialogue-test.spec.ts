import { formatReport, parseArgs } from './dialogue-test';

describe('npm run dialogue:test', () => {
  it('reads the file and options', () => {
    expect(parseArgs(['t.yml', '--assistant', 'faq', '--url', 'http://h:1/', '--project', 'p'])).toEqual({ file: 't.yml', assistant: 'faq', url: 'http://h:1', project: 'p' });
    expect(() => parseArgs([])).toThrow(/missing the tests file/);
    expect(() => parseArgs(['a.yml', '--nope'])).toThrow(/unknown option --nope/);
  });

  it('prints each failed turn and the totals', () => {
    const out = formatReport({ tests: 1, turns: 2, passed: 1, failed: 1, failures: [{ test: 'order', turn: 2, user: '《斗破苍穹》', problems: ['reply: expected /999/, got "x"'] }] });
    expect(out).toBe('FAIL order / turn 2 ("《斗破苍穹》"):\n  - reply: expected /999/, got "x"\n1 test(s), 2 turn(s): 1 passed, 1 failed');
  });
});
