import { Injectable } from '@nestjs/common';
import { BadInputError, NotFoundError } from '../common/errors';
import { NluService } from '../nlu/nlu.service';
import { ItemsRepository } from './items.repository';
import { RecCacheService } from './rec-cache.service';
import type { Item, ItemInput } from './rec.types';

/** Most items one bulk upsert may carry (one transaction). */
export const MAX_ITEMS_PER_REQUEST = 10_000;

/** The gazetteer types catalog titles and categories are registered under for POST query (NLU). */
export const PRODUCT_ENTITY = 'product';
export const CATEGORY_ENTITY = 'category';

/** The catalog: items upserted by the caller's id, read, listed and deleted per project. */
@Injectable()
export class CatalogService {
  constructor(
    private readonly items: ItemsRepository,
    private readonly cache: RecCacheService,
    private readonly nlu: NluService,
  ) {}

  async upsert(project: string, items: ItemInput[]): Promise<{ created: string[]; updated: string[] }> {
    if (items.length > MAX_ITEMS_PER_REQUEST) throw new BadInputError(`${items.length} items in one request; the limit is ${MAX_ITEMS_PER_REQUEST}: split the batch`);
    const ids = new Map<string, number>();
    items.forEach((it, n) => {
      if (ids.has(it.id)) throw new BadInputError(`items[${n}]: id ${it.id} repeats items[${ids.get(it.id)}]`, [{ field: `items.${n}.id`, messages: ['repeated id'] }]);
      ids.set(it.id, n);
    });
    const before = await this.items.upsert(project, items);
    this.cache.catalogChanged(project);
    // catalog words become NLU gazetteer values, so a query names products and categories
    this.nlu.registerLookupValues(project, PRODUCT_ENTITY, items.map((i) => i.title));
    this.nlu.registerLookupValues(project, CATEGORY_ENTITY, items.flatMap((i) => [i.category ?? '', ...(i.subCategories ?? [])]).filter(Boolean));
    return { created: items.filter((i) => !before.has(i.id)).map((i) => i.id), updated: items.filter((i) => before.has(i.id)).map((i) => i.id) };
  }

  async get(project: string, id: string): Promise<Item> {
    const item = await this.items.get(project, id);
    if (!item) throw new NotFoundError(`No item ${id} in this project's catalog`);
    return item;
  }

  list(project: string, category: string | undefined, limit: number, offset: number): Promise<{ items: Item[]; total: number }> {
    return this.items.list(project, category, limit, offset);
  }

  async remove(project: string, id: string): Promise<void> {
    if (!(await this.items.remove(project, id))) throw new NotFoundError(`No item ${id} in this project's catalog`);
    this.cache.catalogChanged(project);
  }
}
