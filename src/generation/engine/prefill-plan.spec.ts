import { planPrefill, PrefillPlanLimits } from './prefill-plan';

const LIMITS: PrefillPlanLimits = { tokenBudget: 512, maxPaddingRatio: 0.25, paddingSlack: 4 };
const plan = (lens: number[], limits = LIMITS) => planPrefill(lens, (x) => x, limits);

describe('planPrefill', () => {
  it('puts prompts of similar length into one run and a much longer one into its own', () => {
    expect(plan([9, 5, 30, 7, 6])).toEqual([[5, 6, 7, 9], [30]]);
  });

  it('keeps every item exactly once, shortest first within a group, stable for equal lengths', () => {
    const items = [{ n: 4, id: 'a' }, { n: 40, id: 'b' }, { n: 4, id: 'c' }, { n: 41, id: 'd' }, { n: 3, id: 'e' }];
    const groups = planPrefill(items, (x) => x.n, LIMITS);
    expect(groups.map((g) => g.map((x) => x.id))).toEqual([['e', 'a', 'c'], ['b', 'd']]);
  });

  it('bounds padding: waste beyond the ratio plus slack starts a new group', () => {
    // [10, 10, 14]: 42 padded for 34 real, 8 <= 34 * 0.25 + 3 * 4; adding 30 pads 120 for 64 real (56 > 16 + 16)
    expect(plan([10, 10, 14, 30])).toEqual([[10, 10, 14], [30]]);
    expect(plan([10, 10, 14, 30], { ...LIMITS, maxPaddingRatio: 0, paddingSlack: 0 })).toEqual([[10, 10], [14], [30]]);
  });

  it('respects the token budget, and a prompt longer than the budget still runs (alone)', () => {
    expect(plan([100, 100, 100, 100, 100, 100], { ...LIMITS, tokenBudget: 300 })).toEqual([[100, 100, 100], [100, 100, 100]]);
    expect(plan([600, 20], { ...LIMITS, tokenBudget: 512 })).toEqual([[20], [600]]);
  });

  it('returns no groups for no items', () => {
    expect(plan([])).toEqual([]);
  });
});
