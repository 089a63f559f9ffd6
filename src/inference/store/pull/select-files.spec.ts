import { NoOnnxExportError, PullError } from './errors';
import { parseModelInfo } from './hub-client';
import { selectFiles, SelectOptions } from './select-files';
import * as L from './testing/hub-listings';

const select = (raw: L.RawModelInfo, opts: SelectOptions = {}) => {
  const snap = parseModelInfo(raw, raw.id, 'main');
  return selectFiles(raw.id, snap.files, opts);
};
const paths = (raw: L.RawModelInfo, opts: SelectOptions = {}) => select(raw, opts).files.map((f) => f.path);

describe('selectFiles', () => {
  it('Xenova/gpt2: takes onnx/model.onnx (not the decoder_* graphs), the tokenizer and configs; config.json first', () => {
    const sel = select(L.XENOVA_GPT2);
    expect(sel.onnx).toEqual({ model: 'onnx/model.onnx', dtype: 'fp32', companions: [] });
    expect(sel.files.map((f) => f.path).sort()).toEqual(
      ['README.md', 'config.json', 'generation_config.json', 'onnx/model.onnx', 'special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json'].sort(),
    );
    expect(sel.files[0].path).toBe('config.json');
    expect(sel.files.at(-1)!.path).toBe('onnx/model.onnx');
    expect(sel.warnings).toEqual([]);
  });

  it('Xenova/gpt2 --quantized: model_quantized.onnx (q8) first', () => {
    expect(select(L.XENOVA_GPT2, { quantized: true }).onnx.model).toBe('onnx/model_quantized.onnx');
  });

  it('Xenova/gpt2 --dtype q4: exactly that variant', () => {
    expect(select(L.XENOVA_GPT2, { dtype: 'q4' }).onnx).toMatchObject({ model: 'onnx/model_q4.onnx', dtype: 'q4' });
  });

  it('Xenova/distilgpt2 (older Optimum export): falls back to decoder_model_merged', () => {
    expect(select(L.XENOVA_DISTILGPT2).onnx.model).toBe('onnx/decoder_model_merged.onnx');
    expect(select(L.XENOVA_DISTILGPT2, { quantized: true }).onnx).toMatchObject({ model: 'onnx/decoder_model_merged_quantized.onnx', dtype: 'q8' });
    const all = paths(L.XENOVA_DISTILGPT2);
    expect(all.filter((p) => p.endsWith('.onnx'))).toEqual(['onnx/decoder_model_merged.onnx']);
    // with tokenizer.json present the BPE vocab/merges are not needed
    expect(all).not.toContain('vocab.json');
    expect(all).not.toContain('merges.txt');
  });

  it('Xenova/distilgpt2 --dtype q4: names the variants it does have', () => {
    expect(() => select(L.XENOVA_DISTILGPT2, { dtype: 'q4' })).toThrow(/no q4 variant of onnx\/decoder_model_merged\.onnx; it has: fp32, q8/);
  });

  it('onnx-community/Qwen2.5-0.5B-Instruct: fp32 graph with its external data, one variant only', () => {
    const sel = select(L.QWEN25_05B_INSTRUCT);
    expect(sel.onnx).toEqual({ model: 'onnx/model.onnx', dtype: 'fp32', companions: ['onnx/model.onnx_data'] });
    const onnxFiles = sel.files.map((f) => f.path).filter((p) => p.startsWith('onnx/'));
    expect(onnxFiles.sort()).toEqual(['onnx/model.onnx', 'onnx/model.onnx_data']);
    expect(sel.files.map((f) => f.path)).toEqual(expect.arrayContaining(['added_tokens.json', 'generation_config.json', 'tokenizer.json']));
  });

  it('onnx-community/Qwen2.5-0.5B-Instruct --quantized: q8 before int8, uint8 and q4; never the GPU-only q4f16/bnb4', () => {
    const sel = select(L.QWEN25_05B_INSTRUCT, { quantized: true });
    expect(sel.onnx).toEqual({ model: 'onnx/model_quantized.onnx', dtype: 'q8', companions: [] });
    expect(sel.files.filter((f) => f.path.startsWith('onnx/'))).toHaveLength(1);
    expect(select(L.QWEN25_05B_INSTRUCT, { dtype: 'q4f16' }).onnx.model).toBe('onnx/model_q4f16.onnx');
  });

  it('numbered external-data files (model.onnx_data, model.onnx_data_1) all travel with the graph', () => {
    const sel = select(L.QWEN3_06B_ONNX);
    expect(sel.onnx.companions).toEqual(['onnx/model.onnx_data', 'onnx/model.onnx_data_1']);
    expect(sel.files.map((f) => f.path)).toContain('chat_template.jinja');
  });

  it('falls back from fp32 to the best variant there is, and says so', () => {
    const sel = select(L.QWEN3_06B_ONNX, { quantized: true });
    // no 8/4-bit CPU variant: fp32 comes before the GPU-oriented q4f16
    expect(sel.onnx.dtype).toBe('fp32');
    expect(sel.warnings.join('\n')).toMatch(/no 8- or 4-bit variant/);
  });

  it('Xenova/all-MiniLM-L6-v2: model.onnx, or model_quantized.onnx with --quantized', () => {
    expect(select(L.XENOVA_ALL_MINILM_L6_V2).onnx.model).toBe('onnx/model.onnx');
    expect(select(L.XENOVA_ALL_MINILM_L6_V2, { quantized: true }).onnx.model).toBe('onnx/model_quantized.onnx');
    expect(paths(L.XENOVA_ALL_MINILM_L6_V2)).not.toContain('vocab.txt');
  });

  it('sentence-transformers/all-MiniLM-L6-v2: keeps pooling config, skips PyTorch/TF/OpenVINO and CPU-specific ONNX builds', () => {
    const all = paths(L.ST_ALL_MINILM_L6_V2);
    expect(all).toEqual(
      expect.arrayContaining(['1_Pooling/config.json', 'modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json', 'onnx/model.onnx']),
    );
    for (const skipped of ['model.safetensors', 'pytorch_model.bin', 'tf_model.h5', 'rust_model.ot', 'openvino/openvino_model.bin', 'onnx/model_O4.onnx', 'onnx/model_qint8_avx512.onnx', 'train_script.py', 'data_config.json']) {
      expect(all).not.toContain(skipped);
    }
  });

  it('Xenova/bert-base-NER: model.onnx / model_quantized.onnx', () => {
    expect(select(L.XENOVA_BERT_BASE_NER).onnx.model).toBe('onnx/model.onnx');
    expect(select(L.XENOVA_BERT_BASE_NER, { quantized: true }).onnx.model).toBe('onnx/model_quantized.onnx');
    expect(paths(L.XENOVA_BERT_BASE_NER)).not.toContain('quantize_config.json');
  });

  it('a repository without ONNX export: a clear error pointing at converted copies', () => {
    const run = () => select(L.QWEN25_05B_NO_ONNX);
    expect(run).toThrow(NoOnnxExportError);
    expect(run).toThrow(/Qwen\/Qwen2\.5-0\.5B-Instruct has no ONNX export.*onnx-community\/Qwen2\.5-0\.5B-Instruct.*Xenova\//s);
  });

  it('ONNX files in an unknown layout: the error lists them', () => {
    expect(() => select(L.CUSTOM_ONNX_LAYOUT)).toThrow(/It has ONNX files \(exported\/encoder\.onnx, exported\/head\.onnx\)/);
  });

  it('no tokenizer.json: takes the legacy vocabulary and warns that tokenizer.json is needed', () => {
    const sel = select(L.LEGACY_TOKENIZER_ONLY);
    expect(sel.files.map((f) => f.path)).toContain('vocab.txt');
    expect(sel.warnings.join('\n')).toMatch(/no tokenizer\.json, only vocab\.txt/);
  });

  it('no config.json: not a Transformers repository', () => {
    const raw = { ...L.XENOVA_GPT2, siblings: L.XENOVA_GPT2.siblings.filter((s) => s.rfilename !== 'config.json') };
    expect(() => select(raw)).toThrow(PullError);
    expect(() => select(raw)).toThrow(/no config\.json/);
  });

  it('carries the published size and LFS sha256 (or git blob id) of each chosen file', () => {
    const sel = select(L.XENOVA_BERT_BASE_NER);
    const model = sel.files.find((f) => f.path === 'onnx/model.onnx')!;
    expect(model.size).toBe(431_000_000);
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    const config = sel.files.find((f) => f.path === 'config.json')!;
    expect(config.sha256).toBeUndefined();
    expect(config.gitOid).toMatch(/^[0-9a-f]{40}$/);
  });
});
