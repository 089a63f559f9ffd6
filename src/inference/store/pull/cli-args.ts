/** Command-line arguments of `models:pull`, parsed without a library. */
import { PullError } from './errors';
import { DTYPES, Dtype } from './select-files';

export interface PullArgs {
  repo?: string;
  revision?: string;
  quantized: boolean;
  dtype?: Dtype;
  name?: string;
  out?: string;
  task?: string;
  force: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run models:pull -- <hf-repo-id> [options]

Downloads a model from the Hugging Face Hub into the model store (MODELS_DIR, default ./models).

Options:
  --revision R   branch, tag or commit (default: main)
  --quantized    prefer an 8- or 4-bit ONNX graph (q8, int8, uint8, q4, in that order)
  --dtype D      exactly this ONNX variant: ${DTYPES.join(', ')}
  --name N       folder name in the store (default: the repository name without its owner)
  --out DIR      the model store folder (default: $MODELS_DIR or ./models)
  --task T       text-generation, feature-extraction, token-classification or
                 text-classification, when config.json does not tell it
  --force        replace an existing model folder of the same name
  -h, --help     this text

Environment:
  HF_TOKEN       read token for gated or private repositories (never printed)
  HF_ENDPOINT    a Hub mirror (default https://huggingface.co)

Examples:
  npm run models:pull -- Xenova/gpt2
  npm run models:pull -- Xenova/all-MiniLM-L6-v2 --quantized --name minilm
  npm run models:pull -- onnx-community/Qwen2.5-0.5B-Instruct --dtype q4`;

const VALUED = new Set(['--revision', '--dtype', '--name', '--out', '--task']);

export function parsePullArgs(argv: readonly string[]): PullArgs {
  const args: PullArgs = { quantized: false, force: false, help: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    let value: string | undefined;
    if (VALUED.has(flag)) {
      value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new PullError(`${flag} needs a value`);
    } else if (eq > 0) {
      throw new PullError(`${flag} takes no value`);
    }
    switch (flag) {
      case '--revision':
        args.revision = value;
        break;
      case '--dtype':
        if (!(DTYPES as string[]).includes(value!)) throw new PullError(`--dtype must be one of ${DTYPES.join(', ')}`);
        args.dtype = value as Dtype;
        break;
      case '--name':
        args.name = value;
        break;
      case '--out':
        args.out = value;
        break;
      case '--task':
        args.task = value;
        break;
      case '--quantized':
        args.quantized = true;
        break;
      case '--force':
        args.force = true;
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        if (flag.startsWith('-')) throw new PullError(`unknown option ${flag}`);
        positional.push(raw);
    }
  }
  if (positional.length > 1) throw new PullError(`one repository at a time (got ${positional.join(', ')})`);
  if (args.quantized && args.dtype) throw new PullError('--quantized and --dtype exclude each other');
  args.repo = positional[0];
  return args;
}
