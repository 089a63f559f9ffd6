import type { ChildWorkerMessage } from '../../common/child-worker';
import { encodeArtifact } from '../algorithms/artifact';
import { TrainOptions, TrainOutput, TrainProgress, trainModels } from '../algorithms/pipeline';
import { Interaction, NeighborTable } from '../algorithms/types';

/** Interactions as columns (typed arrays cross the IPC channel as themselves). */
export interface TrainWorkerInput {
  items: string[];
  users: string[];
  user: Int32Array;
  item: Int32Array;
  value: Float64Array;
  ts: Float64Array;
  options: TrainOptions;
}

export interface TrainResult {
  artifact: Uint8Array;
  metrics: TrainOutput['metrics'];
  skipped: TrainOutput['skipped'];
  timingsMs: TrainOutput['timingsMs'];
}

export type TrainWorkerMessage = ChildWorkerMessage<TrainProgress, TrainResult>;

export function toColumns(cells: Interaction[]): Pick<TrainWorkerInput, 'user' | 'item' | 'value' | 'ts'> {
  return {
    user: Int32Array.from(cells, (c) => c.user),
    item: Int32Array.from(cells, (c) => c.item),
    value: Float64Array.from(cells, (c) => c.value),
    ts: Float64Array.from(cells, (c) => c.ts),
  };
}

/** Trains (in whichever process calls it) and encodes the artifact. */
export function trainAndEncode(input: TrainWorkerInput, onProgress: (p: TrainProgress) => void): TrainResult {
  const cells: Interaction[] = Array.from(input.user, (u, k) => ({ user: u, item: input.item[k], value: input.value[k], ts: input.ts[k] }));
  let last = 0;
  let phase = '';
  // the models report per row: pass on a phase change or every 200 ms
  const throttled = (p: TrainProgress) => {
    if (p.phase === phase && Date.now() - last < 200 && p.done !== p.total) return;
    phase = p.phase;
    last = Date.now();
    onProgress(p);
  };
  const out = trainModels({ items: input.items, users: input.users, cells, options: input.options }, throttled);
  const tables = Object.fromEntries(Object.entries(out.tables).filter((e): e is [string, NeighborTable] => e[1] !== undefined));
  return { artifact: encodeArtifact({ items: input.items, tables, factors: out.factors.als ? { als: out.factors.als } : {} }), metrics: out.metrics, skipped: out.skipped, timingsMs: out.timingsMs };
}
