/**
 * The main-thread cost of constrained decoding per token, apart from the model: the mask
 * (trie walk or cache hit), its application in the sampler and the matcher's advance, over
 * the tokens of real constrained outputs, against the sampler alone on the same rows.
 * Free of the model's noise, so it isolates what the grammar adds to each step.
 */
import { basename, dirname } from 'node:path';
import { Sampler } from '../../src/generation/core/sampling';
import { CompiledGrammar, GrammarConstraint, TokenTrie } from '../../src/generation/structured/constraint';
import { grammarOf, OutputGrammarSpec } from '../../src/generation/structured/output-format';

export interface MaskCost {
  tokens: number;
  /** first pass: masks computed (trie walks) */
  coldMsPerToken: number;
  /** later passes: masks from the cache */
  warmMsPerToken: number;
  /** the sampler alone (greedy) on the same rows */
  samplerMsPerToken: number;
  trieBuildMs: number;
  masksComputed: number;
}

export async function measureMaskCost(dir: string, spec: OutputGrammarSpec, outputs: number[][], vocabSize: number, passes = 5): Promise<MaskCost> {
  const tf = require('@huggingface/transformers') as typeof import('@huggingface/transformers');
  tf.env.allowRemoteModels = false;
  tf.env.localModelPath = `${dirname(dir)}/`;
  const tok = await tf.AutoTokenizer.from_pretrained(basename(dir));
  const t0 = performance.now();
  const trie = TokenTrie.fromTokenizer(
    vocabSize,
    (ids) => tok.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
    (text) => tok.encode(text, { add_special_tokens: false }),
  );
  const trieBuildMs = performance.now() - t0;
  const grammar = new CompiledGrammar(grammarOf(spec, 'response_format'), trie);
  const row = Float32Array.from({ length: vocabSize }, (_, i) => Math.sin(i * 12.9898) * 3);
  const sampler = new Sampler({ temperature: 0 }, { vocabSize });
  const ctx = { promptIds: [], generatedIds: [] };
  const tokens = outputs.reduce((a, o) => a + o.length, 0);
  const pass = (constrained: boolean) => {
    const start = performance.now();
    for (const ids of outputs) {
      const c = new GrammarConstraint(grammar, []);
      for (const id of ids) {
        if (!constrained) {
          sampler.next(row, ctx);
          continue;
        }
        sampler.next(row, ctx, c.mask());
        c.advance(id);
        if (c.finished) break;
      }
    }
    return (performance.now() - start) / tokens;
  };
  const coldMsPerToken = pass(true);
  let warm = 0;
  let plain = 0;
  for (let p = 0; p < passes; p++) {
    warm += pass(true);
    plain += pass(false);
  }
  return { tokens, coldMsPerToken, warmMsPerToken: warm / passes, samplerMsPerToken: plain / passes, trieBuildMs, masksComputed: grammar.counters.computed };
}
