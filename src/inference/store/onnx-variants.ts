/**
 * The ONNX variants of one model as transformers.js and onnx-community name them:
 * `onnx/model{suffix}.onnx` (or Optimum's older `decoder_model_merged{suffix}.onnx`, or
 * the same at the top level), one suffix per dtype. Shared by `models:pull` (which
 * variant to download) and the model store (which downloaded variant to serve).
 */

/** ONNX variants by transformers.js's dtype names and the file suffix each uses. */
export const DTYPE_SUFFIX = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;
export type Dtype = keyof typeof DTYPE_SUFFIX;
export const DTYPES = Object.keys(DTYPE_SUFFIX) as Dtype[];

/**
 * Preference orders. ONNX Runtime's CPU provider runs fp32 and the 8-bit (dynamic
 * quantization) and 4-bit (MatMulNBits) variants natively; fp16, q4f16 and bnb4 are
 * meant for GPUs and are taken on CPU only when nothing else exists.
 */
export const DEFAULT_ORDER: readonly Dtype[] = ['fp32', 'q8', 'int8', 'uint8', 'q4', 'fp16', 'q4f16', 'bnb4'];
export const QUANTIZED_ORDER: readonly Dtype[] = ['q8', 'int8', 'uint8', 'q4', 'fp32', 'fp16', 'q4f16', 'bnb4'];

/** Graph names, newest export layout first: Optimum's older decoders use decoder_model_merged. */
const GRAPH_BASES = ['model', 'decoder_model_merged'] as const;
const GRAPH_DIRS = ['onnx/', ''] as const;

export interface GraphVariants {
  /** the graph without suffix and extension, e.g. "onnx/model" */
  graph: string;
  /** the dtypes present, in DTYPES order */
  available: Dtype[];
}

export function variantPath(graph: string, dtype: Dtype): string {
  return `${graph}${DTYPE_SUFFIX[dtype]}.onnx`;
}

/** The first graph location (onnx/model, onnx/decoder_model_merged, model, ...) with any variant among `paths`. */
export function graphVariants(paths: Iterable<string>): GraphVariants | undefined {
  const present = new Set(paths);
  for (const dir of GRAPH_DIRS) {
    for (const base of GRAPH_BASES) {
      const graph = `${dir}${base}`;
      const available = DTYPES.filter((d) => present.has(variantPath(graph, d)));
      if (available.length) return { graph, available };
    }
  }
  return undefined;
}

/** The dtype a file name stands for ("onnx/model_q4.onnx" -> q4), if it follows the naming. */
export function dtypeOfPath(path: string): Dtype | undefined {
  const m = /(?:^|\/)(?:model|decoder_model_merged)(_[a-z0-9]+)?\.onnx$/.exec(path);
  if (!m) return undefined;
  return DTYPES.find((d) => DTYPE_SUFFIX[d] === (m[1] ?? ''));
}
