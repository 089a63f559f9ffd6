import type { BatchCall } from '../../generation/engine/resident-batch';
import type { NumericData } from '../pool/batch-tensors';
import type { ExecutionProvider, IoInfo, SessionSettings } from './ort';

/** A tensor as it crosses the thread boundary: plain data, no class instance. */
export interface WireTensor {
  type: string;
  dims: number[];
  data: NumericData;
}

export type WorkerRequest =
  | { type: 'init'; source: string | Uint8Array; settings: SessionSettings; transform?: 'last-token-logits' }
  | { type: 'run'; id: number; feeds: Record<string, WireTensor> }
  /** a call on the generation batch this replica holds (the replica is pinned to one engine) */
  | { type: 'batch'; id: number; call: BatchCall }
  | { type: 'release' };

export type WorkerReply =
  | { type: 'ready'; provider: ExecutionProvider; fallbacks: { provider: ExecutionProvider; reason: string }[]; io: { inputs: IoInfo[]; outputs: IoInfo[] }; transformed: boolean }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; outputs: Record<string, WireTensor> }
  | { type: 'batch-result'; id: number; result: unknown }
  | { type: 'run-error'; id: number; message: string }
  | { type: 'released' };
