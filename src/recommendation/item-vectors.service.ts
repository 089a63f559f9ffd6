import { Injectable, Optional } from '@nestjs/common';
import { EmbeddingsService } from '../embeddings/embeddings.service';
import { ProjectLifecycle } from '../projects/project-lifecycle';
import { ItemsRepository } from './items.repository';
import type { Catalog } from './rec-cache.service';

/**
 * Item text vectors (title, categories, tags, description) through the embeddings module, for the
 * content sources (POST query, GET users/:id for items newer than the model). Per catalog snapshot
 * the ids asked for are read once; a vector is kept per project until its item's text changes.
 */
@Injectable()
export class ItemVectorsService {
  private readonly known = new Map<string, Map<string, { text: string; vector: Float32Array }>>();
  private readonly perSnapshot = new WeakMap<Catalog, Map<string, Promise<Float32Array | undefined>>>();

  constructor(
    private readonly items: ItemsRepository,
    private readonly embeddings: EmbeddingsService,
    @Optional() lifecycle?: ProjectLifecycle,
  ) {
    lifecycle?.onDeleted('recommendation-item-vectors', (project) => {
      this.known.delete(project);
    });
  }

  /** The vectors of `ids` (an id not in the catalog has none). */
  async vectors(project: string, catalog: Catalog, ids: string[]): Promise<Map<string, Float32Array>> {
    let snapshot = this.perSnapshot.get(catalog);
    if (!snapshot) {
      snapshot = new Map();
      this.perSnapshot.set(catalog, snapshot);
    }
    const missing = ids.filter((id) => !snapshot.has(id));
    if (missing.length) {
      const load = this.load(project, missing);
      for (const id of missing) snapshot.set(id, load.then((m) => m.get(id)));
      load.catch(() => missing.forEach((id) => snapshot.delete(id)));
    }
    const out = new Map<string, Float32Array>();
    const got = await Promise.all(ids.map((id) => snapshot.get(id)!));
    ids.forEach((id, n) => got[n] && out.set(id, got[n]));
    return out;
  }

  private async load(project: string, ids: string[]): Promise<Map<string, Float32Array>> {
    const texts = await this.items.texts(project, ids);
    const known = this.known.get(project) ?? new Map<string, { text: string; vector: Float32Array }>();
    this.known.set(project, known);
    const stale = texts.filter((t) => known.get(t.id)?.text !== t.text);
    for (let i = 0; i < stale.length; i += 256) {
      const batch = stale.slice(i, i + 256);
      const { vectors } = await this.embeddings.embed(batch.map((t) => t.text), { project, kind: 'passage' });
      batch.forEach((t, n) => known.set(t.id, { text: t.text, vector: vectors[n] }));
    }
    return new Map(texts.map((t) => [t.id, known.get(t.id)!.vector]));
  }
}
