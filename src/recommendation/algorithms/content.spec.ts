import { contentScores, cosine } from './content';

describe('contentScores', () => {
  const v = (...x: number[]) => Float32Array.from(x);
  const vectors = new Map([
    ['shirt-a', v(1, 0, 0)],
    ['book', v(0, 1, 0)],
    ['shirt-new', v(0.9, 0.1, 0)],
    ['kettle', v(0, 0.2, 1)],
  ]);

  it("scores a new item by its best cosine to the user's recent items times their weight, naming that item", () => {
    const got = contentScores(6, [{ j: 4, id: 'shirt-new' }, { j: 5, id: 'kettle' }], [{ id: 'shirt-a', weight: 1 }, { id: 'book', weight: 0.5 }], vectors, 0.3)!;
    expect(got.values[4]).toBeCloseTo(cosine(vectors.get('shirt-a')!, vectors.get('shirt-new')!), 6);
    expect(got.values[4]).toBeCloseTo(0.9 / Math.sqrt(0.82), 6);
    expect(got.because.get(4)).toBe('shirt-a');
    // the kettle is like nothing the user has (cosine to the book 0.2 / sqrt(1.04) < 0.3)
    expect(got.values[5]).toBe(0);
    expect(got.because.has(5)).toBe(false);
    expect([...got.values.slice(0, 4)]).toEqual([0, 0, 0, 0]);
  });

  it('weighs by the user item: a weaker interaction lends less', () => {
    const strong = contentScores(1, [{ j: 0, id: 'shirt-new' }], [{ id: 'shirt-a', weight: 1 }], vectors, 0)!;
    const weak = contentScores(1, [{ j: 0, id: 'shirt-new' }], [{ id: 'shirt-a', weight: 0.25 }], vectors, 0)!;
    expect(weak.values[0]).toBeCloseTo(strong.values[0] / 4, 9);
  });

  it('is null when no new item reaches the threshold, or a vector is missing', () => {
    expect(contentScores(2, [{ j: 1, id: 'kettle' }], [{ id: 'shirt-a', weight: 1 }], vectors, 0.3)).toBeNull();
    expect(contentScores(2, [{ j: 1, id: 'unknown' }], [{ id: 'shirt-a', weight: 1 }], vectors, 0)).toBeNull();
  });
});
