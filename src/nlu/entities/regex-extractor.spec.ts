import {
  findNestedQuantifier,
  InvalidRegexPatternError,
  MAX_PATTERN_LENGTH,
  RegexEntityExtractor,
  validateRegexPatterns,
} from './regex-extractor';

describe('RegexEntityExtractor', () => {
  it('extracts user patterns with exact offsets', () => {
    const x = new RegexEntityExtractor([
      { name: 'order_id', pattern: 'ORD-\\d{6}' },
      { name: 'sku', pattern: '[A-Z]{2}\\d{4}' },
    ]);
    const text = '我的订单ORD-123456和ord-654321，商品AB1234';
    const es = x.extract(text);
    expect(es.map((e) => [e.entity, e.text, e.start, e.end])).toEqual([
      ['order_id', 'ORD-123456', 4, 14],
      ['order_id', 'ord-654321', 15, 25], // case-insensitive, as in Rasa
      ['sku', 'AB1234', 28, 34],
    ]);
    for (const e of es) {
      expect(text.slice(e.start, e.end)).toBe(e.text);
      expect(e.extractor).toBe('regex');
      expect(e.value).toBe(e.text);
    }
  });

  it('supports Unicode property escapes', () => {
    const x = new RegexEntityExtractor([{ name: 'han_name', pattern: '王\\p{Script=Han}{1,2}' }]);
    expect(x.extract('我是王小明').map((e) => e.text)).toEqual(['王小明']);
  });

  it('reports every bad pattern by name', () => {
    const bad = [
      { name: 'ok', pattern: '\\d+' },
      { name: 'broken', pattern: '([a-z]' },
      { name: 'python_group', pattern: '(?P<id>\\d+)' },
      { name: 'redos', pattern: '(a+)+$' },
      { name: 'empty_match', pattern: '\\d*' },
      { name: 'too_long', pattern: 'a'.repeat(MAX_PATTERN_LENGTH + 1) },
      { name: '', pattern: 'x' },
      { name: 'blank', pattern: '' },
    ];
    let error: unknown;
    try {
      new RegexEntityExtractor(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRegexPatternError);
    const problems = (error as InvalidRegexPatternError).problems;
    expect(problems.map((p) => p.name)).toEqual(['broken', 'python_group', 'redos', 'empty_match', 'too_long', '', 'blank']);
    expect(problems.find((p) => p.name === 'redos')?.reason).toMatch(/nested repetition "\(a\+\)\+"/);
    expect(problems.find((p) => p.name === 'too_long')?.reason).toMatch(/limit is 500/);
    expect((error as Error).message).toContain('"broken"');
    expect(validateRegexPatterns(bad)).toEqual(problems);
  });

  it('accepts ordinary patterns', () => {
    expect(
      validateRegexPatterns([
        { name: 'a', pattern: '\\d{3}-\\d{4}' },
        { name: 'b', pattern: '(?:\\+86)?1[3-9]\\d{9}' },
        { name: 'c', pattern: '(ab)+' },
        { name: 'd', pattern: '[(+*]+x' },
        { name: 'e', pattern: '\\(a+\\)+' },
      ]),
    ).toEqual([]);
  });
});

describe('findNestedQuantifier', () => {
  it.each(['(a+)+', '(\\w*)*', '(x|y+){2,}', '((ab)+c)*', '(?:\\s*\\w+)+', '(a{1,200})+'])('flags %s', (p) => {
    expect(findNestedQuantifier(p)).toBeDefined();
  });

  it.each(['(ab)+', 'a+b+', '(\\d{3})?', '[a+]+', '\\(a+\\)+', '(a+)?', '(a{2})+'])(
    'allows %s',
    (p) => {
      expect(findNestedQuantifier(p)).toBeUndefined();
    },
  );
});
