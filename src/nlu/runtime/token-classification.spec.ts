import { alignTokens, decodeTokenClassification, splitLabel, TokenPiece } from './token-classification';

const labels = { '0': 'O', '1': 'B-LOC', '2': 'I-LOC', '3': 'B-PER', '4': 'I-PER' };

function logitsFor(choices: number[]): Float32Array {
  const out = new Float32Array(choices.length * 5);
  choices.forEach((c, i) => (out[i * 5 + c] = 5));
  return out;
}

describe('token classification decoding', () => {
  it('aligns WordPiece and byte-level pieces to character offsets', () => {
    const pieces: TokenPiece[] = [
      { text: '[CLS]', special: true },
      { text: 'new', special: false },
      { text: 'york', special: false },
      { text: '##er', special: false },
      { text: '\u0120Paris', special: false },
      { text: '\uFFFD', special: false },
    ];
    expect(alignTokens('New Yorker in Paris', pieces)).toEqual([undefined, { start: 0, end: 3 }, { start: 4, end: 8 }, { start: 8, end: 10 }, { start: 14, end: 19 }, undefined]);
  });

  it('groups B-/I- labels into entities with offsets and mean confidence', () => {
    const text = '张伟住在上海浦东';
    const pieces: TokenPiece[] = ['张', '伟', '住', '在', '上', '海', '浦', '东'].map((t) => ({ text: t, special: false }));
    const out = decodeTokenClassification(text, pieces, logitsFor([3, 4, 0, 0, 1, 2, 1, 2]), labels, 'ner');
    expect(out.map((e) => [e.entity, e.text, e.start, e.end])).toEqual([
      ['person', '张伟', 0, 2],
      ['location', '上海', 4, 6],
      ['location', '浦东', 6, 8],
    ]);
    expect(out[0].confidence).toBeGreaterThan(0.9);
    expect(out.every((e) => text.slice(e.start, e.end) === e.text)).toBe(true);
  });

  it('reads label schemes with and without prefixes', () => {
    expect(splitLabel('B-ORG')).toEqual({ tag: 'B', type: 'ORG' });
    expect(splitLabel('I_PER')).toEqual({ tag: 'I', type: 'PER' });
    expect(splitLabel('S-LOC')).toEqual({ tag: 'B', type: 'LOC' });
    expect(splitLabel('O')).toEqual({ tag: 'O', type: '' });
    expect(splitLabel('CITY')).toEqual({ tag: 'I', type: 'CITY' });
  });
});
