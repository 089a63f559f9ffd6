/**
 * Writes generated test models (random weights, Hugging Face Optimum signatures) as
 * transformers.js model folders. No network, deterministic from the seed.
 *
 *   models-fixtures --kind gpt2|qwen2|bert|cross-encoder|all --size tiny|small [--dtype D[,D...]|all] [--out <dir>] [--seed N]
 *
 * Naming: a model folder is called `<size>-<kind>` (tiny-gpt2, tiny-qwen2, tiny-bert, small-gpt2,
 * small-bert, tiny-cross-encoder, ...), the names used in the model store. By default it goes to
 * `var/fixtures/<size>-<kind>`. With one kind, `--out` is the model folder itself;
 * with `--kind all`, `--out` is the parent folder and each model gets `<out>/<size>-<kind>`.
 *
 * `--dtype q8` / `q4` / `q8,q4` / `all` also writes the quantized variants of the same weights
 * (`onnx/model_quantized.onnx`, `onnx/model_q4.onnx`, beside `onnx/model.onnx`, as
 * onnx-community repositories have them); llmos.json's `dtype` names the first one listed,
 * the variant the model store serves.
 *
 * Sizes: tiny builds in well under a second (~0.7 MB each); small is GPT-2-small
 * (~500 MB ONNX) / bert-base shaped, for benchmarks — expect tens of seconds.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_FIXTURE_SEED, FIXTURE_DTYPES, FixtureDtype, FixtureKind, FixtureSize, writeFixture } from '../src/inference/fixtures/write-fixture';

const KINDS: FixtureKind[] = ['gpt2', 'qwen2', 'bert', 'cross-encoder'];
const SIZES: FixtureSize[] = ['tiny', 'small'];
const USAGE = 'usage: models-fixtures --kind gpt2|qwen2|bert|cross-encoder|all --size tiny|small [--dtype fp32|q8|q4[,...]|all] [--out <dir>] [--seed N]';

export interface FixturesCliOptions {
  kinds: FixtureKind[];
  size: FixtureSize;
  /** Parent folder (several kinds) or the model folder (one kind, when given). */
  out: string | null;
  seed: number;
  /** weight variants to write; the first is the one llmos.json serves */
  dtypes: FixtureDtype[];
}

/** Parses argv (without node and script); throws with the usage line on bad input. */
export function parseFixturesArgs(argv: string[]): FixturesCliOptions {
  const { values } = parseArgs({
    args: argv,
    options: { kind: { type: 'string', default: 'all' }, size: { type: 'string', default: 'tiny' }, dtype: { type: 'string', default: 'fp32' }, out: { type: 'string' }, seed: { type: 'string' } },
    strict: true,
  });
  const kind = values.kind!;
  if (kind !== 'all' && !KINDS.includes(kind as FixtureKind)) throw new Error(`--kind must be gpt2, qwen2, bert, cross-encoder or all, not "${kind}"\n${USAGE}`);
  const size = values.size as FixtureSize;
  if (!SIZES.includes(size)) throw new Error(`--size must be tiny or small, not "${values.size}"\n${USAGE}`);
  const seed = values.seed === undefined ? DEFAULT_FIXTURE_SEED : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed must be an integer in [0, 2^32), not "${values.seed}"\n${USAGE}`);
  const dtypes = values.dtype === 'all' ? [...FIXTURE_DTYPES] : values.dtype!.split(',');
  const bad = dtypes.find((d) => !(FIXTURE_DTYPES as readonly string[]).includes(d));
  if (bad !== undefined) throw new Error(`--dtype must list ${FIXTURE_DTYPES.join(', ')} (comma-separated) or be all, not "${bad}"\n${USAGE}`);
  return { kinds: kind === 'all' ? KINDS : [kind as FixtureKind], size, out: values.out ?? null, seed, dtypes: dtypes as FixtureDtype[] };
}

/** Where each kind's folder goes under these options. */
export function fixtureDirs(options: FixturesCliOptions, cwd = process.cwd()): Map<FixtureKind, string> {
  const dirs = new Map<FixtureKind, string>();
  for (const kind of options.kinds) {
    const name = `${options.size}-${kind}`;
    if (options.out && options.kinds.length === 1) dirs.set(kind, resolve(cwd, options.out));
    else dirs.set(kind, resolve(cwd, options.out ?? join('var', 'fixtures'), name));
  }
  return dirs;
}

function human(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

async function main(): Promise<void> {
  const options = parseFixturesArgs(process.argv.slice(2));
  for (const [kind, dir] of fixtureDirs(options)) {
    const started = performance.now();
    const summary = await writeFixture(kind, options.size, dir, options.seed, options.dtypes);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const total = summary.files.reduce((sum, f) => sum + f.bytes, 0);
    console.log(`${options.size}-${kind} (seed ${options.seed}) -> ${dir}  [${human(total)} in ${seconds} s]`);
    for (const f of summary.files) console.log(`  ${f.path.padEnd(28)} ${human(f.bytes).padStart(10)}`);
    console.log(`  tokenizer merges: ${summary.merges.learned} learned from the corpus, ${summary.merges.total - summary.merges.learned} added`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
