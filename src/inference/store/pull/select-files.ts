/**
 * Which files of a Hub repository a model needs in the LLM OS model store: its
 * configuration, its tokenizer, and exactly one ONNX graph (plus that graph's external
 * data). The repository's other weights (PyTorch, safetensors, other ONNX variants)
 * stay on the Hub.
 */
import { NoOnnxExportError, PullError } from './errors';
import type { RepoFile } from './hub-client';
import { DEFAULT_ORDER, Dtype, graphVariants, QUANTIZED_ORDER, variantPath } from '../onnx-variants';

export { DEFAULT_ORDER, DTYPE_SUFFIX, DTYPES, QUANTIZED_ORDER } from '../onnx-variants';
export type { Dtype } from '../onnx-variants';

const ALWAYS = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', 'chat_template.jinja', 'chat_template.json', 'preprocessor_config.json'];
/** sentence-transformers' pooling and normalization settings (embeddings need them) */
const SENTENCE_TRANSFORMERS = ['modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json'];
const POOLING = /^\d+_(Pooling|Normalize)\/config\.json$/;
/** model card and licence: the terms travel with the weights */
const LICENCE = /^(README\.md|LICEN[CS]E(\.(md|txt))?|NOTICE(\.(md|txt))?|USE_POLICY\.md)$/i;
/** legacy tokenizer files, only useful when the repository has no tokenizer.json */
const LEGACY_TOKENIZER = ['vocab.txt', 'vocab.json', 'merges.txt', 'spiece.model', 'sentencepiece.bpe.model', 'tokenizer.model'];

export interface SelectOptions {
  /** prefer 8-/4-bit variants (QUANTIZED_ORDER) */
  quantized?: boolean;
  /** exactly this variant; fails when the repository lacks it */
  dtype?: Dtype;
}

export interface OnnxChoice {
  /** the graph to load, e.g. "onnx/model_quantized.onnx" */
  model: string;
  dtype: Dtype;
  /** the graph's external-data files and, for encoder-decoder exports, the encoder */
  companions: string[];
}

export interface Selection {
  files: RepoFile[];
  onnx: OnnxChoice;
  warnings: string[];
}

export function selectFiles(repo: string, listing: readonly RepoFile[], opts: SelectOptions = {}): Selection {
  const byPath = new Map(listing.map((f) => [f.path, f]));
  const warnings: string[] = [];
  if (!byPath.has('config.json')) {
    throw new PullError(`${repo} has no config.json at its top level, so it is not a Transformers model repository LLM OS can serve.`);
  }
  const onnx = chooseOnnx(repo, byPath, opts, warnings);

  const wanted = new Set<string>([onnx.model, ...onnx.companions]);
  for (const f of listing) {
    if (ALWAYS.includes(f.path) || SENTENCE_TRANSFORMERS.includes(f.path) || POOLING.test(f.path) || LICENCE.test(f.path)) wanted.add(f.path);
  }
  if (!byPath.has('tokenizer.json')) {
    const legacy = LEGACY_TOKENIZER.filter((p) => byPath.has(p));
    legacy.forEach((p) => wanted.add(p));
    warnings.push(
      legacy.length
        ? `${repo} has no tokenizer.json, only ${legacy.join(', ')}: LLM OS loads the model once a tokenizer.json is added; make one on a machine with Python (AutoTokenizer.from_pretrained(repo).save_pretrained(dir)) and copy it into the folder.`
        : `${repo} has no tokenizer files: LLM OS loads the model once a tokenizer.json is added to its folder.`,
    );
  }
  // config first (the task is read from it before the large downloads), graphs last
  const files = [...wanted].map((p) => byPath.get(p)!).sort((a, b) => rank(a.path) - rank(b.path) || (a.size ?? 0) - (b.size ?? 0));
  return { files, onnx, warnings };
}

function rank(path: string): number {
  if (path === 'config.json') return 0;
  return /\.onnx(_data(_\d+)?|\.data)?$/.test(path) ? 2 : 1;
}

function chooseOnnx(repo: string, byPath: Map<string, RepoFile>, opts: SelectOptions, warnings: string[]): OnnxChoice {
  const allOnnx = [...byPath.keys()].filter((p) => p.endsWith('.onnx'));
  const variants = graphVariants(byPath.keys());
  if (variants) {
    const dtype = pickDtype(repo, variants.available, opts, variants.graph, warnings);
    const model = variantPath(variants.graph, dtype);
    const companions = externalData(model, byPath);
    const encoder = variantPath(variants.graph.replace(/decoder_model_merged$/, 'encoder_model'), dtype);
    if (variants.graph.endsWith('decoder_model_merged') && byPath.has(encoder)) companions.push(encoder, ...externalData(encoder, byPath));
    return { model, dtype, companions };
  }
  const found = allOnnx.length ? ` It has ONNX files (${allOnnx.slice(0, 5).join(', ')}${allOnnx.length > 5 ? ', ...' : ''}) but none named onnx/model*.onnx or onnx/decoder_model_merged*.onnx.` : '';
  const short = repo.split('/').pop();
  throw new NoOnnxExportError(
    `${repo} has no ONNX export LLM OS can load.${found} Look for a converted copy under the Xenova/ or onnx-community/ organisations ` +
      `(e.g. onnx-community/${short}, onnx-community/${short}-ONNX or Xenova/${short}), or export it yourself with Optimum: ` +
      `\`optimum-cli export onnx --model ${repo} <dir>\`.`,
  );
}

function pickDtype(repo: string, available: Dtype[], opts: SelectOptions, graph: string, warnings: string[]): Dtype {
  if (opts.dtype) {
    if (available.includes(opts.dtype)) return opts.dtype;
    throw new PullError(`${repo} has no ${opts.dtype} variant of ${graph}.onnx; it has: ${available.join(', ')} (choose one with --dtype).`);
  }
  const order = opts.quantized ? QUANTIZED_ORDER : DEFAULT_ORDER;
  const dtype = order.find((d) => available.includes(d))!;
  if (opts.quantized && (dtype === 'fp32' || dtype === 'fp16')) warnings.push(`${repo} has no 8- or 4-bit variant of ${graph}.onnx; taking ${dtype}.`);
  if (!opts.quantized && dtype !== 'fp32') warnings.push(`${repo} has no fp32 ${graph}.onnx; taking the ${dtype} variant.`);
  return dtype;
}

/** model.onnx_data, model.onnx_data_1, ... (and Optimum's older model.onnx.data) */
function externalData(model: string, byPath: Map<string, RepoFile>): string[] {
  const escaped = model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${escaped}(_data(_\\d+)?|\\.data)$`);
  return [...byPath.keys()].filter((p) => re.test(p)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
