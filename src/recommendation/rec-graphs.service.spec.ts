import type { AppConfig } from '../config/app-config';
import { loadConfig } from '../config/app-config';
import type { InferencePool } from '../inference/inference-pool.service';
import { servedModel } from './rec-cache.service';
import { RecGraphsService, recPoolModel } from './rec-graphs.service';
import { recSettings } from './rec-settings';

/** A pool that records what it is asked; a load resolves when the test says so. */
class FakePool {
  registered: string[] = [];
  forgotten: string[] = [];
  private waiting = new Map<string, () => void>();
  register(d: { id: string }) {
    this.registered.push(d.id);
  }
  load(id: string) {
    return new Promise<void>((resolve) => this.waiting.set(id, resolve));
  }
  finish(id: string) {
    this.waiting.get(id)!();
  }
  forget(id: string) {
    this.forgotten.push(id);
    return Promise.resolve();
  }
}

function model(version: number) {
  const n = 4;
  return servedModel(version, { items: ['a', 'b', 'c', 'd'], tables: { itemknn: { n, m: 1, idx: Int32Array.of(1, 0, 3, 2), w: Float32Array.of(1, 1, 1, 1) } } });
}

function service(serving: 'onnx' | 'typescript', pool: FakePool): RecGraphsService {
  const config: AppConfig = loadConfig({ REC_SERVING: serving, REC_BLEND_WEIGHTS: 'itemknn:1,popularity:0.05' });
  return new RecGraphsService(pool as unknown as InferencePool, config, recSettings(config));
}

describe('RecGraphsService', () => {
  it('serves in TypeScript until the version graph is loaded, then releases the previous version', async () => {
    const pool = new FakePool();
    const graphs = service('onnx', pool);
    const v1 = model(1);
    expect(graphs.graphFor('p', v1)).toBeNull(); // starts the install
    expect(pool.registered).toEqual([recPoolModel('p', 1)]);
    pool.finish(recPoolModel('p', 1));
    await graphs.install('p', v1);
    expect(graphs.graphFor('p', v1)?.poolId).toBe('recommender-p-v1');
    const v2 = model(2);
    const installing = graphs.install('p', v2);
    expect(graphs.graphFor('p', v2)).toBeNull();
    expect(pool.forgotten).toEqual([]);
    pool.finish(recPoolModel('p', 2));
    await installing;
    expect(graphs.graphFor('p', v2)?.poolId).toBe('recommender-p-v2');
    expect(pool.forgotten).toEqual(['recommender-p-v1']);
    await graphs.release('p');
    expect(pool.forgotten).toEqual(['recommender-p-v1', 'recommender-p-v2']);
  });

  it('does nothing with REC_SERVING=typescript', async () => {
    const pool = new FakePool();
    const graphs = service('typescript', pool);
    await graphs.install('p', model(1));
    expect(graphs.graphFor('p', model(1))).toBeNull();
    expect(pool.registered).toEqual([]);
  });
});
