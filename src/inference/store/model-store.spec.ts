import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanModelStore } from './model-store';
import { loadConfig } from '../../config/app-config';
import { servingDefaults } from '../inference.config';

const DEFAULTS = servingDefaults(loadConfig({ NODE_ENV: 'test' }));

describe('model store: which ONNX variant is served', () => {
  let root: string;
  const folder = (id: string, graphs: string[], llmos?: Record<string, unknown>) => {
    const dir = join(root, id);
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }));
    writeFileSync(join(dir, 'tokenizer.json'), '{}');
    for (const g of graphs) writeFileSync(join(dir, g), 'an onnx graph, long enough');
    if (llmos) writeFileSync(join(dir, 'llmos.json'), JSON.stringify(llmos));
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'llmos-store-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const scan = () => scanModelStore(root, DEFAULTS);
  const all = ['onnx/model.onnx', 'onnx/model_quantized.onnx', 'onnx/model_q4.onnx', 'onnx/model_fp16.onnx'];

  it("serves llmos.json's dtype: q4 -> onnx/model_q4.onnx, q8 -> onnx/model_quantized.onnx", () => {
    folder('a-q4', all, { dtype: 'q4' });
    folder('a-q8', all, { task: 'text-generation', dtype: 'q8' });
    const [q4, q8] = scan().models;
    expect(q4).toMatchObject({ id: 'a-q4', dtype: 'q4', onnx: join(root, 'a-q4', 'onnx/model_q4.onnx') });
    expect(q8).toMatchObject({ id: 'a-q8', dtype: 'q8', onnx: join(root, 'a-q8', 'onnx/model_quantized.onnx') });
  });

  it('without a dtype: fp32 first, else the 8-bit, then the 4-bit graph; the GPU formats last', () => {
    folder('b-all', all);
    folder('c-quantized', ['onnx/model_q4.onnx', 'onnx/model_quantized.onnx', 'onnx/model_fp16.onnx']);
    folder('d-q4', ['onnx/model_fp16.onnx', 'onnx/model_q4.onnx']);
    folder('e-merged', ['onnx/decoder_model_merged_quantized.onnx']);
    expect(scan().models.map((m) => [m.id, m.dtype])).toEqual([
      ['b-all', 'fp32'],
      ['c-quantized', 'q8'],
      ['d-q4', 'q4'],
      ['e-merged', 'q8'],
    ]);
  });

  it('a missing dtype is a problem naming the variants the folder has', () => {
    folder('f', ['onnx/model.onnx', 'onnx/model_quantized.onnx'], { dtype: 'q4' });
    folder('g', ['onnx/model.onnx'], { dtype: 'int3' });
    folder('h', ['onnx/model_q4.onnx'], { onnx: 'onnx/model_q4.onnx', dtype: 'q8' });
    const { models, problems } = scan();
    expect(models).toEqual([]);
    expect(problems).toEqual([
      { id: 'f', file: 'f/llmos.json', message: 'llmos.json asks for dtype q4, but onnx/model_q4.onnx is missing; ONNX variants present: fp32 (onnx/model.onnx), q8 (onnx/model_quantized.onnx)' },
      { id: 'g', file: 'g/llmos.json', message: expect.stringMatching(/dtype must be one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4 \(got "int3"\)/) },
      { id: 'h', file: 'h/llmos.json', message: expect.stringMatching(/"onnx" onnx\/model_q4.onnx is not the q8 variant/) },
    ]);
  });

  it("llmos.json's onnx path still wins, and a missing one names what is there", () => {
    folder('i', all, { onnx: 'onnx/model_fp16.onnx' });
    folder('j', ['onnx/model.onnx'], { onnx: 'onnx/model_q4.onnx' });
    const { models, problems } = scan();
    expect(models.map((m) => [m.id, m.dtype])).toEqual([['i', 'fp16']]);
    expect(problems[0]).toMatchObject({ id: 'j', file: 'j/onnx/model_q4.onnx', message: expect.stringMatching(/variants present: fp32 \(onnx\/model.onnx\)/) });
  });
});
