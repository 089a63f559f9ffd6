import { parseEntityMarkup, renderEntityMarkup } from './entity-markup';

describe('parseEntityMarkup', () => {
  it('removes markup and records exact UTF-16 offsets', () => {
    const r = parseEntityMarkup('[明天](date)[上海](city)会下雨吗');
    expect(r.errors).toEqual([]);
    expect(r.text).toBe('明天上海会下雨吗');
    expect(r.entities).toEqual([
      { entity: 'date', start: 0, end: 2 },
      { entity: 'city', start: 2, end: 4 },
    ]);
  });

  it('reads the legacy synonym form and the JSON form with value and role', () => {
    const r = parseEntityMarkup('fly from [沪](city:Shanghai) to [NYC]{"entity": "city", "value": "New York", "role": "to"}');
    expect(r.errors).toEqual([]);
    expect(r.text).toBe('fly from 沪 to NYC');
    expect(r.entities).toEqual([
      { entity: 'city', start: 9, end: 10, value: 'Shanghai' },
      { entity: 'city', start: 14, end: 17, value: 'New York', role: 'to' },
    ]);
  });

  it('keeps a "}" inside a JSON string value', () => {
    const r = parseEntityMarkup('[x]{"entity": "e", "value": "a}b"} end');
    expect(r.errors).toEqual([]);
    expect(r.entities[0].value).toBe('a}b');
    expect(r.text).toBe('x end');
  });

  it('counts offsets in UTF-16 units after astral characters', () => {
    const r = parseEntityMarkup('😀 [iPhone](product)');
    expect(r.entities[0]).toEqual({ entity: 'product', start: 3, end: 9 });
    expect(r.text.slice(3, 9)).toBe('iPhone');
  });

  it('unescapes \\[ \\] \\\\ and keeps other backslashes', () => {
    const r = parseEntityMarkup('a \\[beta\\] C:\\temp \\\\ [x](e)');
    expect(r.errors).toEqual([]);
    expect(r.text).toBe('a [beta] C:\\temp \\ x');
    expect(r.entities).toEqual([{ entity: 'e', start: 19, end: 20 }]);
  });

  it.each([
    ['hi [there', /column 4: unbalanced "\["/],
    ['ok] fine', /column 3: unbalanced "\]"/],
    ['[x]', /must be followed by \(entity\)/],
    ['[x](city', /unbalanced "\("/],
    ['[x]{"entity": "e"', /unbalanced "\{"/],
    ['[x]()', /entity with no name/],
    ['[x]{"value": "v"}', /entity with no name/],
    ['[x](city:)', /empty synonym value/],
    ['[](city)', /empty entity text/],
    ['[a [b](c)](d)', /nested entities/],
    ['[x]{"entity": "e", "group": "1"}', /"group" is not supported/],
    ['[x]{"entity": "e", "colour": "1"}', /unknown key "colour"/],
    ['[x]{entity: e}', /invalid JSON/],
    ['[x]{"entity": "e", "value": 3}', /"value" must be a string/],
  ])('reports %s', (markup, message) => {
    const r = parseEntityMarkup(markup);
    expect(r.errors.join('\n')).toMatch(message);
  });

  it('offsets error columns by columnBase', () => {
    expect(parseEntityMarkup('ab]', 7).errors[0]).toMatch(/^column 9:/);
  });
});

describe('renderEntityMarkup', () => {
  it('round-trips text with brackets, backslashes, values and roles', () => {
    const text = 'a [b] \\ 沪 to NYC (x)';
    const entities = [
      { entity: 'city', start: 13, end: 16, value: 'New York', role: 'to' },
      { entity: 'city', start: 8, end: 9, value: 'Shanghai' },
    ];
    const markup = renderEntityMarkup(text, entities);
    expect(markup).toBe('a \\[b\\] \\\\ [沪]{"entity": "city", "value": "Shanghai"} to [NYC]{"entity": "city", "value": "New York", "role": "to"} (x)');
    const back = parseEntityMarkup(markup);
    expect(back.errors).toEqual([]);
    expect(back.text).toBe(text);
    expect(back.entities).toEqual([entities[1], entities[0]]);
  });

  it('uses the short (entity) form when there is no value or role', () => {
    expect(renderEntityMarkup('buy Dune', [{ entity: 'book_title', start: 4, end: 8 }])).toBe('buy [Dune](book_title)');
  });
});
