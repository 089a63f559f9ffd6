/**
 * Generated recommendation data with planted taste: items belong to clusters, each user to one
 * cluster, and most of a user's interactions fall in their cluster (the rest follow global
 * popularity). A model that learns item-item structure beats popularity on it; how much says
 * whether it learned the clusters.
 */
import { mulberry32 } from '../../src/common/random';

export interface BenchEvent {
  id: string;
  userId: string;
  itemId: string;
  type: 'view' | 'click' | 'add_to_cart' | 'purchase' | 'rating';
  value?: number;
  timestamp: string;
}

export interface BenchItem {
  id: string;
  title: string;
  category: string;
  price: number;
}

export interface Dataset {
  items: BenchItem[];
  users: string[];
  events: BenchEvent[];
}

/** Zipf-like pick in [0, n): a few items are much more popular than the tail. */
function zipf(random: () => number, n: number, s = 1.1): number {
  return Math.min(n - 1, Math.floor(n * Math.pow(random(), 1 + s)));
}

export function clusterItems(n: number, clusters: number): BenchItem[] {
  return Array.from({ length: n }, (_, i) => ({ id: `i${i}`, title: `商品 ${i} (item ${i})`, category: `cat-${i % clusters}`, price: 10 + (i % 50) * 5 }));
}

const TYPES = ['view', 'view', 'view', 'click', 'click', 'add_to_cart', 'purchase'] as const;

/** Implicit events: `inCluster` of each user's events in their cluster. */
export function generateClusters(o: { users: number; items: number; events: number; clusters: number; inCluster: number; seed: number }): Dataset {
  const random = mulberry32(o.seed);
  const items = clusterItems(o.items, o.clusters);
  const byCluster: number[][] = Array.from({ length: o.clusters }, () => []);
  items.forEach((_, i) => byCluster[i % o.clusters].push(i));
  const users = Array.from({ length: o.users }, (_, u) => `u${u}`);
  const now = Date.now();
  const events: BenchEvent[] = [];
  for (let e = 0; e < o.events; e++) {
    const u = Math.floor(random() * o.users);
    const own = byCluster[u % o.clusters];
    const item = random() < o.inCluster ? own[zipf(random, own.length)] : zipf(random, o.items);
    events.push({ id: `e${e}`, userId: users[u], itemId: items[item].id, type: TYPES[Math.floor(random() * TYPES.length)], timestamp: new Date(now - Math.floor(random() * 30 * 86_400_000)).toISOString() });
  }
  return { items, users, events };
}

/**
 * MovieLens-100k-shaped explicit data: users rate distinct items 1..5, rating more and higher in
 * their cluster; split per user into a training part (ingested) and a test part (the items to
 * find), `trainFraction` of each user's ratings in the first.
 */
export function generateRatings(o: { users: number; items: number; ratings: number; clusters: number; inCluster: number; trainFraction: number; seed: number }): Dataset & { test: Map<string, Set<string>> } {
  const random = mulberry32(o.seed);
  const items = clusterItems(o.items, o.clusters);
  const byCluster: number[][] = Array.from({ length: o.clusters }, () => []);
  items.forEach((_, i) => byCluster[i % o.clusters].push(i));
  const users = Array.from({ length: o.users }, (_, u) => `u${u}`);
  const perUser = o.ratings / o.users;
  const events: BenchEvent[] = [];
  const test = new Map<string, Set<string>>();
  const start = Date.now() - 200 * 86_400_000;
  for (let u = 0; u < o.users; u++) {
    // MovieLens users rate 20 to several hundred films: a skewed count around the mean
    const count = Math.max(20, Math.round(perUser * (0.3 + 2.1 * random() ** 2)));
    const own = byCluster[u % o.clusters];
    const rated = new Set<number>();
    for (let tries = 0; rated.size < Math.min(count, o.items) && tries < count * 20; tries++) rated.add(random() < o.inCluster ? own[zipf(random, own.length)] : zipf(random, o.items));
    const list = [...rated].sort(() => random() - 0.5);
    const cut = Math.round(list.length * o.trainFraction);
    list.forEach((i, n) => {
      const inOwn = i % o.clusters === u % o.clusters;
      const value = Math.max(1, Math.min(5, Math.round((inOwn ? 4 : 2.8) + (random() - 0.5) * 2.5)));
      if (n < cut) {
        events.push({ id: `r${u}-${i}`, userId: users[u], itemId: items[i].id, type: 'rating', value, timestamp: new Date(start + n * 60_000).toISOString() });
      } else if (value >= 4) {
        // like the public evaluations: a held-out rating of 4 or 5 is an item to find
        const s = test.get(users[u]) ?? new Set<string>();
        s.add(items[i].id);
        test.set(users[u], s);
      }
    });
  }
  return { items, users, events, test };
}
