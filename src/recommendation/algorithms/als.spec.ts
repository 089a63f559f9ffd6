import { alsLoss, AlsModel, scoreAls, solveUser, trainAls } from './als';
import { buildMatrix } from './matrix';
import { Interaction } from './types';

const cells = (rows: number[][]): Interaction[] => rows.flatMap((r, u) => r.map((v, i) => ({ user: u, item: i, value: v, ts: 0 }))).filter((c) => c.value !== 0);

// 5 users x 4 items, two taste groups that overlap on item 1
const X = [
  [1, 1, 0, 0],
  [1, 1, 0, 0],
  [1, 0, 0, 0],
  [0, 1, 1, 1],
  [0, 0, 1, 1],
];
const options = { factors: 2, regularization: 0.1, alpha: 10, iterations: 30, cgSteps: 3, seed: 1 };

describe('implicit ALS (conjugate gradient)', () => {
  it('solves a user by hand with one factor: x = sum c y / (sum_all y^2 + lambda + sum (c - 1) y^2)', () => {
    const model: AlsModel = { items: 3, factors: 1, itemFactors: Float32Array.from([0.5, -1, 2]), regularization: 0.1, alpha: 10 };
    // history: item 0 at 1 (c = 11), item 2 at 0.5 (c = 6)
    const x = solveUser(model, new Map([[0, 1], [2, 0.5], [1, -1]]));
    const expected = (11 * 0.5 + 6 * 2) / (0.25 + 1 + 4 + 0.1 + 10 * 0.25 + 5 * 4);
    expect(x[0]).toBeCloseTo(expected, 10);
    expect([...scoreAls(model, x)].map((s) => s / x[0])).toEqual([0.5, -1, 2]);
  });

  it('lowers the loss at every iteration and converges to a fixed point of the exact user solve', () => {
    const m = buildMatrix(5, 4, cells(X));
    const { model, userFactors, loss } = trainAls(m, { ...options, iterations: 400, cgSteps: 2 });
    for (let t = 1; t < loss.length; t++) expect(loss[t]).toBeLessThanOrEqual(loss[t - 1] + 1e-9);
    expect(loss[loss.length - 1]).toBeLessThan(loss[0]);
    // converged: re-solving each user from its history (recalculate_user) gives the trained vector
    X.forEach((row, u) => {
      const x = solveUser(model, new Map(row.map((v, i) => [i, v] as [number, number]).filter(([, v]) => v > 0)));
      for (let f = 0; f < 2; f++) expect(x[f]).toBeCloseTo(userFactors[u * 2 + f], 3);
    });
    expect(alsLoss(m, userFactors, Float64Array.from(model.itemFactors), 2, options)).toBeCloseTo(loss[loss.length - 1], 4);
  });

  it('recommends within the taste group: a user who took item 0 gets item 1 before items 2 and 3; one who took item 3 gets item 2 first', () => {
    const { model } = trainAls(buildMatrix(5, 4, cells(X)), options);
    const a = scoreAls(model, solveUser(model, new Map([[0, 1]])));
    expect(a[1]).toBeGreaterThan(a[2]);
    expect(a[1]).toBeGreaterThan(a[3]);
    const b = scoreAls(model, solveUser(model, new Map([[3, 1]])));
    expect(b[2]).toBeGreaterThan(b[0]);
    expect(b[2]).toBeGreaterThan(b[1]);
  });

  it('is repeatable for a seed', () => {
    const m = buildMatrix(5, 4, cells(X));
    expect(trainAls(m, options).model.itemFactors).toEqual(trainAls(m, options).model.itemFactors);
  });
});
