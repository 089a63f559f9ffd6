/**
 * The one place in src/ that imports onnxruntime-node (with the session worker that
 * hosts each session). Everything else asks the InferencePool for runs and builds
 * tensors with `makeTensor`.
 */
import * as ort from 'onnxruntime-node';
import type { NumericData, TensorLike } from '../pool/batch-tensors';

export type Tensor = ort.Tensor;
export type ExecutionProvider = 'cpu' | 'cuda' | 'tensorrt' | 'webgpu' | 'coreml' | 'dml';

export interface SessionSettings {
  executionProviders: ExecutionProvider[];
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  /** CUDA device index when cuda is used */
  deviceId?: number;
  /**
   * Whether idle intra-op threads busy-wait for the next parallel section. ORT spins by
   * default; here the default is no: replicas of several models, the event loop and the
   * generation engine's JS work between decode steps share the same cores, and spinning
   * threads take cycles from all of them. Measured on a shared 2-core machine: GPT-2-small
   * generation 1.4-1.7x faster without spinning, bert-base runs ~1.4x; only sub-millisecond
   * runs of tiny models lost (~20%).
   */
  allowSpinning?: boolean;
}

export interface IoInfo {
  name: string;
  type: string;
  shape: (number | string)[];
}

export interface CreatedSession {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  /** providers tried before `provider`, each with why it could not load */
  fallbacks: { provider: ExecutionProvider; reason: string }[];
}

// Failed provider probes (no CUDA libraries) make ORT print native errors; keep its own
// log to errors that matter, and report fallbacks ourselves in one clear line.
ort.env.logLevel = 'fatal';

export function makeTensor(type: string, data: NumericData, dims: number[]): Tensor {
  return new ort.Tensor(type as ort.Tensor.Type, data as ort.Tensor.DataType, dims);
}

export const makeTensorLike = makeTensor as (type: string, data: NumericData, dims: number[]) => TensorLike;

function providerConfig(ep: ExecutionProvider, settings: SessionSettings): ort.InferenceSession.ExecutionProviderConfig {
  if (ep === 'cuda') return { name: 'cuda', deviceId: settings.deviceId ?? 0 } as ort.InferenceSession.ExecutionProviderConfig;
  return ep;
}

/**
 * Creates a session on the first execution provider that loads, falling back along
 * the configured list (e.g. cuda -> cpu on a machine without CUDA libraries).
 */
export async function createSession(source: string | Uint8Array, settings: SessionSettings): Promise<CreatedSession> {
  const fallbacks: CreatedSession['fallbacks'] = [];
  const providers = settings.executionProviders.length ? settings.executionProviders : (['cpu'] as ExecutionProvider[]);
  for (const provider of providers) {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [providerConfig(provider, settings)],
      graphOptimizationLevel: settings.graphOptimizationLevel ?? 'all',
      enableCpuMemArena: settings.enableCpuMemArena ?? true,
      enableMemPattern: settings.enableMemPattern ?? true,
      logSeverityLevel: 3,
    };
    if (settings.intraOpNumThreads) options.intraOpNumThreads = settings.intraOpNumThreads;
    if (settings.interOpNumThreads) options.interOpNumThreads = settings.interOpNumThreads;
    // onnxruntime-node passes `extra` through as session config entries (string values only).
    const spin = settings.allowSpinning === true ? '1' : '0';
    options.extra = { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } };
    try {
      const session = typeof source === 'string' ? await ort.InferenceSession.create(source, options) : await ort.InferenceSession.create(source, options);
      return { session, provider, fallbacks };
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0].slice(0, 300);
      // A model error (bad file) is not a provider problem: do not mask it by falling back.
      if (provider === 'cpu' || !/provider|backend|shared library|cuda|tensorrt|webgpu|adapter|dml|coreml/i.test(reason)) throw err;
      fallbacks.push({ provider, reason });
    }
  }
  throw new Error(`No execution provider could load: ${fallbacks.map((f) => `${f.provider} (${f.reason})`).join('; ')}`);
}

export function sessionIo(session: ort.InferenceSession): { inputs: IoInfo[]; outputs: IoInfo[] } {
  const info = (m: ort.InferenceSession.ValueMetadata): IoInfo =>
    m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: 'non-tensor', shape: [] };
  return { inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) };
}

export type OrtSession = ort.InferenceSession;

export function supportedBackends(): { name: string; bundled: boolean }[] {
  return ort.listSupportedBackends();
}
