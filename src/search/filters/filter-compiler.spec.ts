import { compileFilter, FilterError, MAX_CONDITIONS } from './filter-compiler';

describe('compileFilter', () => {
  it('no filter is TRUE with no parameters', () => {
    expect(compileFilter(undefined, 'c.metadata', 3)).toEqual({ sql: 'TRUE', params: [] });
    expect(compileFilter({}, 'c.metadata', 3)).toEqual({ sql: 'TRUE', params: [] });
  });

  it('equality is jsonb containment (nested keys nest the object); numbering starts at firstParam', () => {
    const f = compileFilter({ lang: 'zh', 'author.name': '李雷' }, 'c.metadata', 4);
    expect(f.sql).toBe('(c.metadata @> $4::jsonb OR c.metadata @> $5::jsonb) AND (c.metadata @> $6::jsonb OR c.metadata @> $7::jsonb)');
    expect(f.params).toEqual(['{"lang":"zh"}', '{"lang":["zh"]}', '{"author":{"name":"李雷"}}', '{"author":{"name":["李雷"]}}']);
  });

  it('in, ranges and exists bind the path and the values', () => {
    const f = compileFilter({ tag: { in: ['faq', 3] }, price: { gte: 10, lt: 100 }, draft: { exists: false } }, 'm', 1);
    expect(f.sql).toBe(
      '(m #> $1::text[]) IN (SELECT jsonb_array_elements($2::jsonb)) AND ((m #> $3::text[]) >= $4::jsonb AND jsonb_typeof((m #> $3::text[])) = $5) AND ((m #> $6::text[]) < $7::jsonb AND jsonb_typeof((m #> $6::text[])) = $8) AND (m #> $9::text[]) IS NULL',
    );
    expect(f.params).toEqual(['{tag}', '["faq",3]', '{price}', '10', 'number', '{price}', '100', 'number', '{draft}']);
  });

  it('string ranges compare strings (ISO dates)', () => {
    expect(compileFilter({ date: { gte: '2025-01-01' } }, 'm', 1).params).toEqual(['{date}', '"2025-01-01"', 'string']);
  });

  it('user text never reaches the SQL text', () => {
    const evil = "x'); DROP TABLE search_chunks; --";
    const f = compileFilter({ k: evil, j: { in: [evil] } }, 'm', 1);
    expect(f.sql).not.toContain('DROP');
    expect(JSON.stringify(f.params)).toContain('DROP');
  });

  it.each([
    [{ "a'b": 1 }, /filter key "a'b" is not valid/],
    [{ 'a..b': 1 }, /not valid/],
    [{ a: { like: 'x' } }, /unknown operator "like"/],
    [{ a: {} }, /has no operator/],
    [{ a: { in: [] } }, /filter.a.in must be an array of 1 to 1000/],
    [{ a: { in: [{}] } }, /values must be strings/],
    [{ a: null }, /exists": false/],
    [{ a: [1, 2] }, /values must be strings/],
    [{ a: { gt: true } }, /must be a number or a string/],
    [{ a: { exists: 'yes' } }, /exists must be true or false/],
    [{ a: Number.NaN }, /finite numbers/],
  ])('refuses %j', (filter, message) => {
    expect(() => compileFilter(filter as Record<string, unknown>, 'm', 1)).toThrow(FilterError);
    expect(() => compileFilter(filter as Record<string, unknown>, 'm', 1)).toThrow(message);
  });

  it('refuses a non-object filter and too many conditions', () => {
    expect(() => compileFilter([] as unknown as Record<string, unknown>, 'm', 1)).toThrow(/must be an object/);
    const many = Object.fromEntries(Array.from({ length: MAX_CONDITIONS + 1 }, (_, i) => [`k${i}`, i]));
    expect(() => compileFilter(many, 'm', 1)).toThrow(/more than 32 conditions/);
  });
});
