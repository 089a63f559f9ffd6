/** What a user did with an item. `rating` carries a value; `dislike` counts against the item. */
export const EVENT_TYPES = ['view', 'click', 'add_to_cart', 'purchase', 'rating', 'dislike'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** How much one event of each type says about taste; `rating` is per rating point of `ratingScale`. */
export interface EventWeights {
  view: number;
  click: number;
  add_to_cart: number;
  purchase: number;
  /** weight of a rating at `ratingScale` (a rating r weighs rating * r / ratingScale) */
  rating: number;
  ratingScale: number;
  /** negative */
  dislike: number;
  /** the net weight at which an interaction counts fully (x = 1) */
  saturation: number;
}

export const DEFAULT_EVENT_WEIGHTS: EventWeights = { view: 1, click: 2, add_to_cart: 4, purchase: 8, rating: 8, ratingScale: 5, dislike: -8, saturation: 8 };

/** Events of one type by one user on one item, summed (what the repository's GROUP BY returns). */
export interface EventAggregate {
  userId: string;
  itemId: string;
  type: EventType;
  count: number;
  /** sum of the events' values (ratings) */
  valueSum: number;
  /** the latest event's time, epoch ms */
  lastTs: number;
}

/** One user-item cell: the saturated net weight in [-1, 1] and when it last changed. */
export interface Interaction {
  user: number;
  item: number;
  value: number;
  ts: number;
}

/** Rows of a model that lists, per item, the items it lends score to (CSR with a fixed width). */
export interface NeighborTable {
  /** items in the model */
  n: number;
  /** neighbours kept per item */
  m: number;
  /** n * m neighbour indexes, -1 for unused slots */
  idx: Int32Array;
  /** n * m weights: score(j) += x(i) * w for j = idx[i * m + s] */
  w: Float32Array;
}
