import { mulberry32 } from '../../common/random';
import { Interaction } from './types';

export type HoldoutKind = 'random' | 'time';

/** Seeded random numbers (mulberry32, shared with the NLU split): the same seed splits the same way. */
export const rng = mulberry32;

/**
 * Splits each user's positive interactions: `fraction` of them (at least one, and only for
 * users with two or more) go to the test set, chosen at random or as the latest ones.
 * Non-positive cells stay in training.
 */
export function holdout(cells: Interaction[], kind: HoldoutKind, fraction: number, seed: number): { train: Interaction[]; test: Interaction[] } {
  const byUser = new Map<number, Interaction[]>();
  const train: Interaction[] = [];
  for (const c of cells) {
    if (c.value <= 0) {
      train.push(c);
      continue;
    }
    const list = byUser.get(c.user) ?? [];
    list.push(c);
    byUser.set(c.user, list);
  }
  const random = mulberry32(seed);
  const test: Interaction[] = [];
  for (const list of [...byUser.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1])) {
    if (list.length < 2) {
      train.push(...list);
      continue;
    }
    const ordered = kind === 'time' ? [...list].sort((a, b) => a.ts - b.ts || a.item - b.item) : shuffle([...list].sort((a, b) => a.item - b.item), random);
    const nTest = Math.max(1, Math.round(list.length * fraction));
    train.push(...ordered.slice(0, ordered.length - nTest));
    test.push(...ordered.slice(ordered.length - nTest));
  }
  return { train, test };
}

function shuffle<T>(a: T[], random: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
