import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../../src/inference/onnx/graph-builder';
import { writeFixture } from '../../../src/inference/fixtures/write-fixture';

/**
 * A model whose every run costs a fixed amount of compute (20 chained 512x512 matmuls,
 * graph optimization off so nothing is folded away): y = x + sum(W^8) * 0. Used to make
 * queueing deterministic in tests: while one run is going, the others must wait.
 */
export function writeSlowModel(modelsDir: string, id = 'slow', llmos: Record<string, unknown> = {}): string {
  const dir = join(modelsDir, id);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const n = 512;
  const g = new GraphBuilder('slow');
  const x = g.input('x', 'float32', ['batch', 4]);
  const w = g.initializer('W', Float32Array.from({ length: n * n }, (_, i) => ((i % 7) - 3) / 1000), [n, n]);
  let acc = w;
  for (let i = 0; i < 20; i++) acc = g.op('MatMul', [acc, w]);
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
