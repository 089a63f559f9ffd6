import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../../src/inference/onnx/graph-builder';
import { writeFixture } from '../../../src/inference/fixtures/write-fixture';

/**
 * A model whose every run costs a fixed amount of compute (`matmuls` chained 512x512 matmuls,
 * graph optimization off so nothing is folded away): y = x + sum(W^8) * 0. Used to make
 * queueing deterministic in tests: while one run is going, the others must wait.
 */
export function writeSlowModel(modelsDir: string, id = 'slow', llmos: Record<string, unknown> = {}, matmuls = 20): string {
  const dir = join(modelsDir, id);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const n = 512;
  const g = new GraphBuilder('slow');
  const x = g.input('x', 'float32', ['batch', 4]);
  const w = g.initializer('W', Float32Array.from({ length: n * n }, (_, i) => ((i % 7) - 3) / 1000), [n, n]);
  let acc = w;
  for (let i = 0; i < matmuls; i++) acc = g.op('MatMul', [acc, w]);
  const s = g.op('ReduceSum', [acc], { keepdims: 0 });
  const zero = g.op('Mul', [s, g.constF([0], [])]);
  g.output(g.op('Add', [x, zero]), 'float32', ['batch', 4], 'y');
  writeFileSync(join(dir, 'onnx', 'model.onnx'), g.build());
  writeFileSync(join(dir, 'llmos.json'), JSON.stringify({ task: 'custom', graphOptimizationLevel: 'disabled', ...llmos }));
  return dir;
}

export async function writeTinyBert(modelsDir: string, id = 'tiny-bert', llmos?: Record<string, unknown>): Promise<string> {
  const dir = join(modelsDir, id);
  await writeFixture('bert', 'tiny', dir);
  if (llmos) writeFileSync(join(dir, 'llmos.json'), JSON.stringify({ task: 'feature-extraction', ...llmos }));
  return dir;
}

export async function writeTinyGpt2(modelsDir: string, id = 'tiny-gpt2'): Promise<string> {
  const dir = join(modelsDir, id);
  await writeFixture('gpt2', 'tiny', dir);
  return dir;
}

/** The tiny Llama/Qwen2-architecture fixture (grouped-query attention, RoPE, Qwen2.5-style chat template with tools). */
export async function writeTinyQwen2(modelsDir: string, id = 'tiny-qwen2'): Promise<string> {
  const dir = join(modelsDir, id);
  await writeFixture('qwen2', 'tiny', dir);
  return dir;
}

/** Folders that must be reported, not crash the server. */
export function writeBrokenModels(modelsDir: string): void {
  const bad = join(modelsDir, 'bad-json');
  mkdirSync(join(bad, 'onnx'), { recursive: true });
  writeFileSync(join(bad, 'config.json'), '{ "model_type": "bert", ');
  const noOnnx = join(modelsDir, 'no-onnx');
  mkdirSync(noOnnx, { recursive: true });
  writeFileSync(join(noOnnx, 'config.json'), JSON.stringify({ model_type: 'bert', architectures: ['BertModel'] }));
  const garbage = join(modelsDir, 'garbage-onnx');
  mkdirSync(join(garbage, 'onnx'), { recursive: true });
  writeFileSync(join(garbage, 'onnx', 'model.onnx'), 'this is not an onnx file at all, just text');
  writeFileSync(join(garbage, 'llmos.json'), JSON.stringify({ task: 'custom' }));
}

/**
 * A token-classification model (HF BertForTokenClassification signature) whose logits are
 * a lookup by token id: the tokens of `words` get B-/I- labels of their type, every other
 * token O. It exercises the NER path end to end with a known answer. (The tiny tokenizer
 * splits rare words into letters, so pick words whose letters the rest of the test
 * sentence does not use.)
 */
export async function writeTokenClassifier(modelsDir: string, id: string, words: Record<string, 'LOC' | 'PER'>): Promise<string> {
  const dir = join(modelsDir, id);
  await writeFixture('bert', 'tiny', dir);
  const tf = require('@huggingface/transformers');
  tf.env.allowRemoteModels = false;
  tf.env.localModelPath = `${modelsDir}/`;
  const tokenizer = await tf.AutoTokenizer.from_pretrained(id);
  const labels = ['O', 'B-LOC', 'I-LOC', 'B-PER', 'I-PER'];
  const config = JSON.parse(require('node:fs').readFileSync(join(dir, 'config.json'), 'utf8'));
  const vocab: number = config.vocab_size;
  const table = new Float32Array(vocab * labels.length);
  for (let v = 0; v < vocab; v++) table[v * labels.length] = 4;
  for (const [word, type] of Object.entries(words)) {
    // whitespace tokens are shared with every other word: never label them
    const ids: number[] = tokenizer.encode(word, { add_special_tokens: false }).filter((t: number) => tokenizer.decode([t]).trim() !== '');
    ids.forEach((t, i) => {
      table[t * labels.length] = 0;
      table[t * labels.length + labels.indexOf(`${i === 0 ? 'B' : 'I'}-${type}`)] = 6;
    });
  }
  const g = new GraphBuilder('token-classifier');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);
  const w = g.initializer('label_table', table, [vocab, labels.length]);
  g.output(g.op('Gather', [w, ids], { axis: 0 }), 'float32', ['batch_size', 'sequence_length', labels.length], 'logits');
  writeFileSync(join(dir, 'onnx', 'model.onnx'), g.build());
  config.architectures = ['BertForTokenClassification'];
  config.id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
  config.label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'llmos.json'), JSON.stringify({ task: 'token-classification' }));
  return dir;
}

/**
 * The tiny GPT-2 fixture with a 1024-token context (room for tool prompts), optionally
 * with a chat template in tokenizer_config.json (e.g. QWEN25_STYLE_CHAT_TEMPLATE).
 */
export async function writeTinyGpt2LongContext(modelsDir: string, id: string, chatTemplate?: string): Promise<string> {
  const { FIXTURE_PRESETS } = require('../../../src/inference/fixtures/write-fixture');
  const { buildGpt2Onnx } = require('../../../src/inference/fixtures/gpt2');
  const fs = require('node:fs');
  const dir = join(modelsDir, id);
  await writeFixture('gpt2', 'tiny', dir);
  const shape = { ...FIXTURE_PRESETS.gpt2.tiny, nPositions: 1024 };
  writeFileSync(join(dir, 'onnx', 'model.onnx'), buildGpt2Onnx(shape, 42));
  const patch = (file: string, f: (j: Record<string, unknown>) => void) => {
    const j = JSON.parse(fs.readFileSync(join(dir, file), 'utf8'));
    f(j);
    writeFileSync(join(dir, file), JSON.stringify(j, null, 2));
  };
  patch('config.json', (j) => {
    j.n_positions = 1024;
    j.n_ctx = 1024;
  });
  patch('tokenizer_config.json', (j) => {
    j.model_max_length = 1024;
    if (chatTemplate) j.chat_template = chatTemplate;
  });
  return dir;
}
