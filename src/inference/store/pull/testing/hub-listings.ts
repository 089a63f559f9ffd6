/**
 * File lists of real Hub repositories in the shape of
 * `GET /api/models/{repo}/revision/main?blobs=true`, for the file-selection tests.
 *
 * Written from the repositories' published layouts (paths as on the Hub; sizes
 * rounded, hashes synthetic): the tests check which paths are chosen, not bytes.
 */

interface RawSibling {
  rfilename: string;
  size: number;
  blobId: string;
  lfs?: { sha256: string; size: number; pointerSize: number };
}

let counter = 0;
const hex = (n: number, len: number) => (n.toString(16).repeat(len)).slice(0, len).padStart(len, '0');

/** a small file kept in git */
const git = (path: string, size = 1000): RawSibling => ({ rfilename: path, size, blobId: hex(++counter + 0x10, 40) });
/** a large file kept in LFS */
const lfs = (path: string, size: number): RawSibling => ({
  rfilename: path,
  size,
  blobId: hex(++counter + 0x10, 40),
  lfs: { sha256: hex(++counter + 0x100, 64), size, pointerSize: 134 },
});

const MB = 1_000_000;

export interface RawModelInfo {
  id: string;
  sha: string;
  siblings: RawSibling[];
}

const repo = (id: string, siblings: RawSibling[]): RawModelInfo => ({ id, sha: hex(id.length * 7919, 40), siblings });

/** transformers.js v3 added model*.onnx beside Optimum's decoder_* files */
export const XENOVA_GPT2 = repo('Xenova/gpt2', [
  git('.gitattributes', 1519),
  git('README.md', 1200),
  git('config.json', 907),
  git('generation_config.json', 119),
  lfs('merges.txt', 456_318),
  git('quantize_config.json', 547),
  git('special_tokens_map.json', 90),
  lfs('tokenizer.json', 2_107_653),
  git('tokenizer_config.json', 234),
  lfs('vocab.json', 798_156),
  lfs('onnx/decoder_model.onnx', 653 * MB),
  lfs('onnx/decoder_model_merged.onnx', 655 * MB),
  lfs('onnx/decoder_model_merged_quantized.onnx', 166 * MB),
  lfs('onnx/decoder_model_quantized.onnx', 165 * MB),
  lfs('onnx/decoder_with_past_model.onnx', 653 * MB),
  lfs('onnx/decoder_with_past_model_quantized.onnx', 165 * MB),
  lfs('onnx/model.onnx', 655 * MB),
  lfs('onnx/model_bnb4.onnx', 205 * MB),
  lfs('onnx/model_fp16.onnx', 328 * MB),
  lfs('onnx/model_int8.onnx', 166 * MB),
  lfs('onnx/model_q4.onnx', 212 * MB),
  lfs('onnx/model_q4f16.onnx', 129 * MB),
  lfs('onnx/model_quantized.onnx', 166 * MB),
  lfs('onnx/model_uint8.onnx', 166 * MB),
]);

/** an older Optimum export: only decoder_* graphs */
export const XENOVA_DISTILGPT2 = repo('Xenova/distilgpt2', [
  git('.gitattributes', 1519),
  git('README.md', 300),
  git('config.json', 892),
  git('generation_config.json', 119),
  lfs('merges.txt', 456_318),
  git('special_tokens_map.json', 90),
  lfs('tokenizer.json', 2_107_653),
  git('tokenizer_config.json', 234),
  lfs('vocab.json', 798_156),
  lfs('onnx/decoder_model.onnx', 353 * MB),
  lfs('onnx/decoder_model_merged.onnx', 355 * MB),
  lfs('onnx/decoder_model_merged_quantized.onnx', 90 * MB),
  lfs('onnx/decoder_model_quantized.onnx', 89 * MB),
  lfs('onnx/decoder_with_past_model.onnx', 353 * MB),
  lfs('onnx/decoder_with_past_model_quantized.onnx', 89 * MB),
]);

/** many variants; fp32 and fp16 graphs keep their weights in external data */
export const QWEN25_05B_INSTRUCT = repo('onnx-community/Qwen2.5-0.5B-Instruct', [
  git('.gitattributes', 1700),
  git('README.md', 2100),
  git('config.json', 760),
  git('generation_config.json', 242),
  lfs('merges.txt', 1_671_853),
  git('special_tokens_map.json', 613),
  lfs('tokenizer.json', 7_031_645),
  git('tokenizer_config.json', 7306),
  lfs('vocab.json', 2_776_833),
  git('added_tokens.json', 605),
  lfs('onnx/model.onnx', 1 * MB),
  lfs('onnx/model.onnx_data', 1_976 * MB),
  lfs('onnx/model_bnb4.onnx', 508 * MB),
  lfs('onnx/model_fp16.onnx', 988 * MB),
  lfs('onnx/model_int8.onnx', 495 * MB),
  lfs('onnx/model_q4.onnx', 786 * MB),
  lfs('onnx/model_q4f16.onnx', 483 * MB),
  lfs('onnx/model_quantized.onnx', 495 * MB),
  lfs('onnx/model_uint8.onnx', 495 * MB),
]);

/** a newer export whose fp32 weights are split over numbered external-data files */
export const QWEN3_06B_ONNX = repo('onnx-community/Qwen3-0.6B-ONNX', [
  git('config.json', 1400),
  git('generation_config.json', 239),
  lfs('tokenizer.json', 11_422_654),
  git('tokenizer_config.json', 9700),
  git('chat_template.jinja', 4168),
  lfs('onnx/model.onnx', 1 * MB),
  lfs('onnx/model.onnx_data', 2_000 * MB),
  lfs('onnx/model.onnx_data_1', 384 * MB),
  lfs('onnx/model_q4f16.onnx', 570 * MB),
]);

export const XENOVA_ALL_MINILM_L6_V2 = repo('Xenova/all-MiniLM-L6-v2', [
  git('.gitattributes', 1519),
  git('README.md', 1100),
  git('config.json', 650),
  git('special_tokens_map.json', 125),
  lfs('tokenizer.json', 711_661),
  git('tokenizer_config.json', 366),
  git('vocab.txt', 231_508),
  lfs('onnx/model.onnx', 90 * MB),
  lfs('onnx/model_bnb4.onnx', 55 * MB),
  lfs('onnx/model_fp16.onnx', 45 * MB),
  lfs('onnx/model_int8.onnx', 23 * MB),
  lfs('onnx/model_q4.onnx', 57 * MB),
  lfs('onnx/model_q4f16.onnx', 30 * MB),
  lfs('onnx/model_quantized.onnx', 23 * MB),
  lfs('onnx/model_uint8.onnx', 23 * MB),
]);

/** the upstream sentence-transformers repository: many formats, pooling config, CPU-specific ONNX builds */
export const ST_ALL_MINILM_L6_V2 = repo('sentence-transformers/all-MiniLM-L6-v2', [
  git('.gitattributes', 1229),
  git('1_Pooling/config.json', 190),
  git('README.md', 10_454),
  git('config.json', 612),
  git('config_sentence_transformers.json', 116),
  git('data_config.json', 39_265),
  lfs('model.safetensors', 90_868_376),
  git('modules.json', 349),
  lfs('onnx/model.onnx', 90_405_214),
  lfs('onnx/model_O1.onnx', 90_360_328),
  lfs('onnx/model_O4.onnx', 45_212_349),
  lfs('onnx/model_qint8_arm64.onnx', 23_026_053),
  lfs('onnx/model_qint8_avx512.onnx', 23_026_053),
  lfs('onnx/model_quint8_avx2.onnx', 23_046_789),
  lfs('openvino/openvino_model.bin', 90_265_744),
  git('openvino/openvino_model.xml', 211_315),
  lfs('pytorch_model.bin', 90_888_945),
  lfs('rust_model.ot', 90_887_379),
  git('sentence_bert_config.json', 53),
  git('special_tokens_map.json', 112),
  lfs('tf_model.h5', 91_005_696),
  lfs('tokenizer.json', 466_247),
  git('tokenizer_config.json', 350),
  git('train_script.py', 13_156),
  git('vocab.txt', 231_508),
]);

export const XENOVA_BERT_BASE_NER = repo('Xenova/bert-base-NER', [
  git('.gitattributes', 1519),
  git('README.md', 500),
  git('config.json', 1_000),
  git('quantize_config.json', 547),
  git('special_tokens_map.json', 125),
  lfs('tokenizer.json', 668_923),
  git('tokenizer_config.json', 366),
  git('vocab.txt', 213_450),
  lfs('onnx/model.onnx', 431 * MB),
  lfs('onnx/model_quantized.onnx', 108 * MB),
]);

/** PyTorch/safetensors only */
export const QWEN25_05B_NO_ONNX = repo('Qwen/Qwen2.5-0.5B-Instruct', [
  git('.gitattributes', 1519),
  git('LICENSE', 11_343),
  git('README.md', 4_917),
  git('config.json', 659),
  git('generation_config.json', 242),
  lfs('merges.txt', 1_671_839),
  lfs('model.safetensors', 988_097_824),
  lfs('tokenizer.json', 7_031_645),
  git('tokenizer_config.json', 7_305),
  lfs('vocab.json', 2_776_833),
]);

/** ONNX files, but not in a layout transformers.js (or LLM OS) loads */
export const CUSTOM_ONNX_LAYOUT = repo('someone/custom-export', [
  git('config.json', 600),
  lfs('tokenizer.json', 700_000),
  lfs('exported/encoder.onnx', 90 * MB),
  lfs('exported/head.onnx', 1 * MB),
]);

/** an old export with WordPiece vocab but no tokenizer.json */
export const LEGACY_TOKENIZER_ONLY = repo('someone/old-bert', [
  git('config.json', 600),
  git('vocab.txt', 231_508),
  git('tokenizer_config.json', 300),
  lfs('onnx/model.onnx', 90 * MB),
]);
