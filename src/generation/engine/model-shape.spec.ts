import { buildFixture } from '../../inference/fixtures/write-fixture';
import { causalLmShape, ModelShapeError } from './model-shape';

const configOf = (kind: 'gpt2' | 'qwen2') => JSON.parse(new TextDecoder().decode(buildFixture(kind, 'tiny').files.get('config.json'))) as Record<string, unknown>;
const inputs = (layers: number, positions = true) => ['input_ids', 'attention_mask', ...(positions ? ['position_ids'] : []), ...Array.from({ length: layers }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat()];

describe('causalLmShape', () => {
  it("reads a Qwen2 config's Llama-style names: the cache has num_key_value_heads, head size hidden / attention heads", () => {
    const shape = causalLmShape(configOf('qwen2'), inputs(2));
    expect(shape).toEqual({ layers: 2, kvHeads: 2, headDim: 16, vocabSize: 1024, contextLength: 1024, hasPositionIds: true, bytesPerToken: 2 * 2 * 2 * 16 * 4 });
    expect(causalLmShape({ ...configOf('qwen2'), head_dim: 32 }, inputs(2)).headDim).toBe(32);
  });

  it("reads GPT-2's names: as many key/value heads as attention heads", () => {
    expect(causalLmShape(configOf('gpt2'), inputs(2, false))).toMatchObject({ layers: 2, kvHeads: 4, headDim: 16, contextLength: 128, hasPositionIds: false });
  });

  it("checks the cache size against the session's declared past_key_values dims", () => {
    const declared = { 'past_key_values.0.key': ['batch_size', 2, 'past_sequence_length', 16] };
    expect(causalLmShape(configOf('qwen2'), inputs(2), declared).kvHeads).toBe(2);
    // a config without num_key_value_heads would size the cache by the 4 attention heads
    const { num_key_value_heads: _, ...withoutKv } = configOf('qwen2');
    expect(() => causalLmShape(withoutKv, inputs(2), declared)).toThrow(/4 key\/value heads x 16 .*\[batch_size, 2, past_sequence_length, 16\]/);
    expect(causalLmShape(withoutKv, inputs(2), { 'past_key_values.0.key': ['b', 'h', 'p', 'd'] }).kvHeads).toBe(4);
  });

  it('refuses an export without past inputs, or a config without the sizes', () => {
    expect(() => causalLmShape(configOf('qwen2'), inputs(1))).toThrow(/past_key_values\.1\.key/);
    expect(() => causalLmShape({ model_type: 'qwen2', vocab_size: 10 }, inputs(2))).toThrow(ModelShapeError);
  });
});
