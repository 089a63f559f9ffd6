/**
 * npm run models:pull -- <hf-repo-id> [--revision R] [--quantized | --dtype D] [--name N] [--out DIR] [--task T] [--force]
 *
 * Fetches a model's config, tokenizer and one ONNX graph from the Hugging Face Hub into
 * the model store. Progress and messages go to stderr; stdout gets the model folder's
 * path only, so scripts can use it. Exit codes: 0 done, 1 failed, 2 bad arguments,
 * 3 the Hub cannot be reached.
 */
import { config as loadDotenv } from 'dotenv';
import { SETTINGS } from '../src/config/config.schema';
import { HttpHubClient, HubOfflineError, parsePullArgs, pullModel, PullError, USAGE } from '../src/inference/store/pull';

async function main(): Promise<number> {
  loadDotenv({ quiet: true });
  let args;
  try {
    args = parsePullArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.repo) {
    process.stderr.write(`missing the repository id\n\n${USAGE}\n`);
    return 2;
  }
  const client = new HttpHubClient({ endpoint: process.env.HF_ENDPOINT, token: process.env.HF_TOKEN });
  try {
    const result = await pullModel(
      {
        repo: args.repo,
        revision: args.revision,
        quantized: args.quantized,
        dtype: args.dtype,
        name: args.name,
        outDir: args.out ?? (process.env.MODELS_DIR || SETTINGS.MODELS_DIR.default),
        task: args.task,
        force: args.force,
      },
      { client, out: process.stderr },
    );
    process.stdout.write(`${result.dir}\n`);
    return 0;
  } catch (err) {
    if (err instanceof HubOfflineError) {
      process.stderr.write(`\n${err.message}\n`);
      return 3;
    }
    if (err instanceof PullError) {
      process.stderr.write(`\nmodels:pull failed: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`models:pull failed unexpectedly: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
