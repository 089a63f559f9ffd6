import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ExecutionProvider } from '../runtime/ort';
import { DEFAULT_ORDER, Dtype, DTYPES, dtypeOfPath, graphVariants, variantPath } from './onnx-variants';
import { parseServingFile, ServingDefaults, ServingSettings } from './serving-settings';

/**
 * The model store: one folder per model in the Hugging Face / transformers.js layout
 * (config.json, tokenizer.json, tokenizer_config.json, onnx/*.onnx, optional
 * generation_config.json) plus an optional llmos.json with serving settings. Scanning
 * never throws for one bad folder: it reports the folder's problem naming the file at
 * fault and goes on. Plain TypeScript (no NestJS).
 */

export const HF_TASKS = ['text-generation', 'feature-extraction', 'token-classification', 'text-classification', 'rerank'] as const;
/** Models the project builds itself with its graph builder. */
export const BUILTIN_TASKS = ['nlu-intent', 'recommender', 'hashing-encoder', 'custom'] as const;
export type ModelTask = (typeof HF_TASKS)[number] | (typeof BUILTIN_TASKS)[number];
export const KNOWN_TASKS: readonly string[] = [...HF_TASKS, ...BUILTIN_TASKS];

export const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface ModelDescriptor {
  id: string;
  task: ModelTask;
  /** folder of the model (absent for models registered from bytes) */
  dir?: string;
  /** absolute path of the ONNX file, or the bytes for built-in models */
  onnx: string | Uint8Array;
  /** the weights' variant served (fp32, q8, q4, ...), when the file follows transformers.js's naming */
  dtype?: Dtype;
  files: string[];
  /** config.json, when present */
  config?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  tokenizerConfig?: Record<string, unknown>;
  hasTokenizer: boolean;
  serving: ServingSettings;
  source: 'store' | 'builtin';
  /** the project a built-in model belongs to (a project's NLU model); store models are shared by every project */
  projectId?: string;
}

/** A model registered from bytes built in this process (no folder, no tokenizer): NLU intents, the lexical encoder, recommenders. */
export function builtinDescriptor(m: Pick<ModelDescriptor, 'id' | 'task' | 'onnx' | 'serving' | 'projectId'>): ModelDescriptor {
  return { ...m, files: [], hasTokenizer: false, source: 'builtin' };
}

export interface ModelProblem {
  id: string;
  /** the file at fault, relative to the store */
  file: string;
  message: string;
}

export interface StoreScan {
  models: ModelDescriptor[];
  problems: ModelProblem[];
}


class FolderProblem extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

function readJson(dir: string, file: string, required: boolean): Record<string, unknown> | undefined {
  const path = join(dir, file);
  if (!existsSync(path)) {
    if (required) throw new FolderProblem(file, `${file} is missing`);
    return undefined;
  }
  try {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('expected a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new FolderProblem(file, `${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The task from llmos.json, else from config.json's architectures / model_type, as transformers.js would use it. */
export function inferTask(config: Record<string, unknown> | undefined): ModelTask | undefined {
  const archs = Array.isArray(config?.architectures) ? (config!.architectures as string[]) : [];
  const arch = archs[0] ?? '';
  if (/ForCausalLM$|LMHeadModel$/.test(arch)) return 'text-generation';
  if (/ForTokenClassification$/.test(arch)) return 'token-classification';
  if (/ForSequenceClassification$/.test(arch)) return 'text-classification';
  if (/(Bert|Roberta|MPNet|DistilBert|XLMRoberta|Electra|E5|BGE|Nomic|Model)$/.test(arch) && !/ForConditional|Seq2Seq/.test(arch)) return 'feature-extraction';
  const type = String(config?.model_type ?? '');
  if (['gpt2', 'llama', 'qwen2', 'qwen3', 'mistral', 'phi', 'phi3', 'gemma', 'gpt_neox', 'gptj', 'opt', 'bloom', 'smollm3'].includes(type)) return 'text-generation';
  if (['bert', 'roberta', 'xlm-roberta', 'distilbert', 'mpnet', 'electra', 'nomic_bert'].includes(type)) return 'feature-extraction';
  return undefined;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The graph to serve: llmos.json's `onnx` path; else the variant its `dtype` names
 * (`q4` -> onnx/model_q4.onnx), an error listing the variants present when that one is
 * missing; else the first present of fp32, q8, int8, uint8, q4, fp16, q4f16, bnb4
 * (what ONNX Runtime's CPU provider runs natively first).
 */
function chooseGraph(files: string[], llmos: Record<string, unknown> | undefined): string {
  const dtype = llmos?.dtype;
  if (dtype !== undefined && !(DTYPES as unknown[]).includes(dtype)) throw new FolderProblem('llmos.json', `llmos.json: dtype must be one of ${DTYPES.join(', ')} (got ${JSON.stringify(dtype)})`);
  const variants = graphVariants(files);
  const present = variants ? variants.available.map((d) => `${d} (${variantPath(variants.graph, d)})`).join(', ') : 'none';
  if (typeof llmos?.onnx === 'string') {
    const onnxRel = llmos.onnx;
    if (!files.includes(onnxRel)) throw new FolderProblem(onnxRel, `${onnxRel} (llmos.json's "onnx") is missing; ONNX variants present: ${present}`);
    if (dtype !== undefined && dtypeOfPath(onnxRel) !== dtype) throw new FolderProblem('llmos.json', `llmos.json: "onnx" ${onnxRel} is not the ${String(dtype)} variant its "dtype" names; drop one of the two`);
    return onnxRel;
  }
  if (!variants) {
    throw new FolderProblem('onnx/model.onnx', `onnx/model.onnx is missing: a model folder needs its ONNX export (looked for onnx/model*.onnx, onnx/decoder_model_merged*.onnx, model*.onnx, decoder_model_merged*.onnx)`);
  }
  if (dtype !== undefined) {
    const wanted = variantPath(variants.graph, dtype as Dtype);
    if (!files.includes(wanted)) throw new FolderProblem('llmos.json', `llmos.json asks for dtype ${String(dtype)}, but ${wanted} is missing; ONNX variants present: ${present}`);
    return wanted;
  }
  return variantPath(variants.graph, DEFAULT_ORDER.find((d) => variants.available.includes(d))!);
}

export function describeFolder(dir: string, id: string, defaults: ServingDefaults): ModelDescriptor {
  const files = listFiles(dir);
  const llmos = readJson(dir, 'llmos.json', false);
  const serving = parseServingFile(llmos, defaults, (msg) => new FolderProblem('llmos.json', msg));
  const config = readJson(dir, 'config.json', false);
  const declared = llmos?.task;
  if (declared !== undefined && (typeof declared !== 'string' || !KNOWN_TASKS.includes(declared))) {
    throw new FolderProblem('llmos.json', `llmos.json: unknown task ${JSON.stringify(declared)}; known tasks: ${KNOWN_TASKS.join(', ')}`);
  }
  if (!config && !declared) throw new FolderProblem('config.json', 'config.json is missing (or set "task" in llmos.json for a model without one)');
  const task = (declared as ModelTask | undefined) ?? inferTask(config);
  if (!task) {
    throw new FolderProblem('config.json', `config.json: cannot tell the task from architectures ${JSON.stringify(config?.architectures ?? null)} / model_type ${JSON.stringify(config?.model_type ?? null)}; set "task" in llmos.json (one of ${KNOWN_TASKS.join(', ')})`);
  }
  const onnxRel = chooseGraph(files, llmos);
  if (statSync(join(dir, onnxRel)).size < 16) throw new FolderProblem(onnxRel, `${onnxRel} is empty or truncated`);
  const hasTokenizer = files.includes('tokenizer.json');
  if ((HF_TASKS as readonly string[]).includes(task) && !hasTokenizer) {
    throw new FolderProblem('tokenizer.json', `tokenizer.json is missing: ${task} models need the fast-tokenizer file (export it with the model, or pull a Xenova/onnx-community repo)`);
  }
  return {
    id,
    task,
    dir,
    onnx: join(dir, onnxRel),
    dtype: dtypeOfPath(onnxRel),
    files,
    config,
    generationConfig: readJson(dir, 'generation_config.json', false),
    tokenizerConfig: readJson(dir, 'tokenizer_config.json', false),
    hasTokenizer,
    serving,
    source: 'store',
  };
}

/** Scans the store; hidden folders and `*.partial` downloads are skipped. */
export function scanModelStore(storeDir: string, defaults: ServingDefaults): StoreScan {
  const root = resolve(storeDir);
  const scan: StoreScan = { models: [], problems: [] };
  if (!existsSync(root)) return scan;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name.endsWith('.partial')) continue;
    const id = entry.name;
    if (!MODEL_ID.test(id)) {
      scan.problems.push({ id, file: id, message: `folder name ${JSON.stringify(id)} is not a valid model id (letters, digits, . _ -)` });
      continue;
    }
    try {
      scan.models.push(describeFolder(join(root, id), id, defaults));
    } catch (err) {
      if (err instanceof FolderProblem) scan.problems.push({ id, file: `${id}/${err.file}`, message: err.message });
      else scan.problems.push({ id, file: id, message: (err as Error).message });
    }
  }
  scan.models.sort((a, b) => a.id.localeCompare(b.id));
  return scan;
}

export type { ExecutionProvider };
