import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { servingDefaults } from '../inference/inference.config';
import { InferencePool } from '../inference/inference-pool.service';
import { builtinDescriptor, ModelDescriptor } from '../inference/store/model-store';
import { ProjectLifecycle } from '../projects/project-lifecycle';
import { GraphFeed } from './algorithms/graph-scoring';
import { buildServingGraph, ServingGraph } from './algorithms/serving-graph';
import type { ServedModel } from './rec-cache.service';
import { REC_SETTINGS, RecSettings } from './rec-settings';

export const recPoolModel = (project: string, version: number) => `recommender-${project}-v${version}`;

interface Installed {
  version: number;
  poolId: string;
  graph: ServingGraph | null;
  /** resolves when the graph is loaded (or turned out not to be needed) */
  loaded: Promise<void>;
  ready: boolean;
}

/**
 * With REC_SERVING=onnx, each project's served version as an ONNX graph in the shared
 * InferencePool (per project and version: `recommender-<project>-v<version>`). A new version's
 * graph is built and loaded next to the old one, then the old one is released; until the new
 * one is loaded, requests score in TypeScript (the same numbers). Building runs on the event loop
 * (a few hundred ms at 20k items); a training awaits it before it reports done.
 */
@Injectable()
export class RecGraphsService implements OnModuleDestroy {
  private readonly logger = new Logger('Recommendation');
  private readonly installed = new Map<string, Installed>();

  constructor(
    private readonly pool: InferencePool,
    private readonly config: AppConfig,
    @Inject(REC_SETTINGS) private readonly settings: RecSettings,
    @Optional() lifecycle?: ProjectLifecycle,
  ) {
    lifecycle?.onDeleted('recommendation-graphs', (project) => this.release(project));
  }

  get enabled(): boolean {
    return this.settings.serving === 'onnx';
  }

  /** The loaded graph of this version, or null (TypeScript serving); a version not yet installed starts loading. */
  graphFor(project: string, model: ServedModel): { poolId: string; graph: ServingGraph } | null {
    if (!this.enabled) return null;
    const current = this.installed.get(project);
    if (current?.version === model.version) return current.ready && current.graph ? { poolId: current.poolId, graph: current.graph } : null;
    if (!current || current.version < model.version) void this.install(project, model).catch(() => undefined);
    return null;
  }

  /** Builds and loads the version's graph, then releases the project's previous one. */
  install(project: string, model: ServedModel): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    const current = this.installed.get(project);
    if (current?.version === model.version) return current.loaded;
    const poolId = recPoolModel(project, model.version);
    const entry: Installed = { version: model.version, poolId, graph: null, ready: false, loaded: Promise.resolve() };
    this.installed.set(project, entry);
    entry.loaded = (async () => {
      const graph = buildServingGraph(model.artifact, this.settings.blendWeights, poolId);
      if (graph) {
        this.pool.register(this.descriptor(poolId, project, graph.bytes));
        await this.pool.load(poolId);
      }
      if (this.installed.get(project) !== entry) {
        await this.pool.forget(poolId).catch(() => undefined);
        return;
      }
      entry.graph = graph;
      entry.ready = true;
      if (current && current.poolId !== poolId) await this.pool.forget(current.poolId).catch(() => undefined);
    })().catch((err: unknown) => {
      this.logger.warn(`Recommendation graph ${poolId} not loaded, serving in TypeScript: ${(err as Error).message}`);
      throw err;
    });
    return entry.loaded;
  }

  run(poolId: string, feeds: Record<string, GraphFeed>): Promise<{ values: ArrayLike<number>; indices: ArrayLike<bigint> }> {
    return this.pool.run(poolId, feeds).then((out) => ({ values: out.values.data as Float32Array, indices: out.indices.data as BigInt64Array }));
  }

  async release(project: string): Promise<void> {
    const entry = this.installed.get(project);
    if (!entry) return;
    this.installed.delete(project);
    await entry.loaded.catch(() => undefined);
    await this.pool.forget(entry.poolId).catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.installed.keys()].map((p) => this.release(p)));
  }

  private descriptor(id: string, projectId: string, onnx: Uint8Array): ModelDescriptor {
    const defaults = servingDefaults(this.config);
    return builtinDescriptor({
      id,
      task: 'recommender',
      onnx,
      projectId,
      serving: {
        ...defaults,
        autoload: false,
        replicas: 1,
        batching: { ...defaults.batching, enabled: true, maxQueueDelayMs: 0 },
        padding: { history_items: 0, history_weights: 0 },
      },
    });
  }
}
