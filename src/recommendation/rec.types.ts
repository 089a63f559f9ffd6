import type { EventType } from './algorithms/types';

/** A catalog item as stored. */
export interface Item {
  id: string;
  title: string;
  category: string | null;
  subCategories: string[];
  tags: string[];
  price: number | null;
  currency: string | null;
  attributes: Record<string, unknown>;
  description: string;
  available: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type ItemInput = Pick<Item, 'id' | 'title'> & Partial<Omit<Item, 'id' | 'title' | 'createdAt' | 'updatedAt'>>;

/** An event to write: the id makes re-sending it a no-op. */
export interface EventInput {
  id: string;
  userId: string;
  itemId: string;
  type: EventType;
  value: number | null;
  /** epoch ms */
  ts: number;
}

/** One event of a user's history (newest first). */
export interface HistoryEvent {
  itemId: string;
  type: EventType;
  value: number | null;
  ts: number;
}
