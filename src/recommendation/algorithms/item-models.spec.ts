import { easeMatrix, trainEase } from './ease';
import { trainItemKnn } from './item-knn';
import { spdInverse } from './linalg';
import { buildMatrix, gram } from './matrix';
import { neighborsOf, scoreHistory } from './neighbors';
import { Interaction } from './types';

const cells = (rows: number[][]): Interaction[] => rows.flatMap((r, u) => r.map((v, i) => ({ user: u, item: i, value: v, ts: 0 }))).filter((c) => c.value !== 0);

/** Solves A x = b by Gaussian elimination with partial pivoting (the direct solve the tests compare against). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

// 5 users x 4 items, two taste groups that overlap on item 1
const X = [
  [1, 1, 0, 0],
  [1, 1, 0, 0],
  [1, 0, 0, 0],
  [0, 1, 1, 1],
  [0, 0, 1, 1],
];

describe('spdInverse', () => {
  it('inverts a symmetric positive definite matrix (A A^-1 = I)', () => {
    const n = 6;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = 1 / (1 + Math.abs(i - j)) + (i === j ? n : 0);
    const copy = Float64Array.from(a);
    const inv = spdInverse(a, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += copy[i * n + k] * inv[k * n + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
  });

  it('refuses a matrix that is not positive definite', () => {
    expect(() => spdInverse(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/positive definite/);
  });
});

describe('EASE', () => {
  it('equals, column by column, the ridge regression of item j on the other items (direct solve)', () => {
    const lambda = 0.5;
    const x = buildMatrix(5, 4, cells(X));
    const b = easeMatrix(x, lambda);
    const g = gram(x);
    for (let j = 0; j < 4; j++) {
      const others = [0, 1, 2, 3].filter((i) => i !== j);
      // (X_o^T X_o + lambda I) beta = X_o^T x_j
      const a = others.map((r) => others.map((c) => g[r * 4 + c] + (r === c ? lambda : 0)));
      const rhs = others.map((r) => g[r * 4 + j]);
      const beta = solve(a, rhs);
      others.forEach((i, k) => expect(b[i * 4 + j]).toBeCloseTo(beta[k], 10));
      expect(b[j * 4 + j]).toBe(0);
    }
  });

  it('recommends within the taste group: a user with item 0 gets item 1 before items 2 and 3', () => {
    const t = trainEase(buildMatrix(5, 4, cells(X)), { lambda: 0.5, neighbors: 10 });
    const { scores } = scoreHistory(t, new Map([[0, 1]]));
    expect(scores[1]).toBeGreaterThan(scores[2]);
    expect(scores[1]).toBeGreaterThan(scores[3]);
  });
});

describe('ItemKNN', () => {
  // u0: i0 i1; u1: i0 i1 i2; u2: i1 i2  -> |i0| = sqrt2, |i1| = sqrt3, |i2| = sqrt2
  const x = buildMatrix(3, 3, cells([[1, 1, 0], [1, 1, 1], [0, 1, 1]]));

  it('scores cosine with shrinkage exactly: dot / (|a||b| + shrink)', () => {
    const t = trainItemKnn(x, { neighbors: 5, shrinkage: 1 });
    const sim01 = 2 / (Math.sqrt(6) + 1);
    const sim02 = 1 / (2 + 1);
    const sim12 = 2 / (Math.sqrt(6) + 1);
    expect(neighborsOf(t, 0)).toEqual([
      { item: 1, weight: expect.closeTo(sim01, 6) },
      { item: 2, weight: expect.closeTo(sim02, 6) },
    ]);
    expect(neighborsOf(t, 2)[0]).toEqual({ item: 1, weight: expect.closeTo(sim12, 6) });
    const { scores, contributions } = scoreHistory(t, new Map([[0, 1], [2, 0.5]]), true);
    expect(scores[1]).toBeCloseTo(sim01 + 0.5 * sim12, 6);
    expect(contributions!.get(1)!.map((c) => c.from)).toEqual([0, 2]);
  });

  it('without shrinkage it is the plain cosine; keeps only the strongest neighbours', () => {
    const t = trainItemKnn(x, { neighbors: 1, shrinkage: 0 });
    expect(t.m).toBe(1);
    expect(neighborsOf(t, 0)).toEqual([{ item: 1, weight: expect.closeTo(2 / Math.sqrt(6), 6) }]);
  });
});
