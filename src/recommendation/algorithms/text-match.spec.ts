import { namedInText, TitleWordIndex } from './text-match';

const ITEMS = [
  { id: 'tshirt-a', title: 'T恤衫A (T-shirt A)', category: 'clothing', subCategories: ['t-shirts'] },
  { id: 'tshirt-b', title: 'T恤衫B (T-shirt B)', category: 'clothing', subCategories: ['t-shirts'] },
  { id: 'jeans', title: '修身牛仔裤 (Slim jeans)', category: 'clothing', subCategories: ['pants'] },
  { id: 'doupo', title: '斗破苍穹', category: 'books', subCategories: [] },
  { id: 'dune', title: 'Dune', category: 'books', subCategories: [] },
  { id: 'prince', title: 'The Little Prince (小王子)', category: 'books', subCategories: [] },
];

describe('catalog words in a text', () => {
  const index = new TitleWordIndex(ITEMS);

  it('finds Han title words without spaces, longest first', () => {
    expect(index.match('我正在浏览T恤衫，请推荐一些')).toEqual([{ text: 't恤衫', kind: 'title-word', items: ['tshirt-a', 'tshirt-b'] }]);
    expect(index.match('有牛仔裤吗')).toEqual([{ text: '牛仔裤', kind: 'title-word', items: ['jeans'] }]);
  });

  it('finds Latin title words as whole words, plurals folded, stop words skipped', () => {
    expect(index.match('recommend some T-shirts')).toEqual([{ text: 't-shirt', kind: 'title-word', items: ['tshirt-a', 'tshirt-b'] }]);
    expect(index.match('the dunes of the jeansy')).toEqual([{ text: 'dune', kind: 'title-word', items: ['dune'] }]);
  });

  it('names categories and full titles', () => {
    expect(namedInText('recommend some books like 斗破苍穹', ITEMS)).toEqual([
      { text: 'books', kind: 'category', category: 'books', items: [] },
      { text: '斗破苍穹', kind: 'product', items: ['doupo'] },
    ]);
    expect(namedInText('any t-shirt?', ITEMS).map((m) => m.category)).toEqual(['t-shirts']);
    expect(namedInText('Dunes and bookshelves', ITEMS).map((m) => m.kind)).toEqual(['product']);
  });
});
