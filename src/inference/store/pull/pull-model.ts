/**
 * `models:pull`: one Hub repository -> one folder of the model store.
 *
 * Files go to `<out>/<name>.partial/` (kept between runs, so an interrupted pull
 * resumes), are verified one by one, and the folder is renamed to `<out>/<name>/`
 * only when everything is in place together with `llmos.json`: the store never sees
 * half a model.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DownloadDeps, downloadFile, RetryPolicy, sizeOf } from './download-file';
import { PullError, TransientHubError } from './errors';
import type { HubClient, RepoFile, RepoSnapshot } from './hub-client';
import { HF_TASKS, MODEL_ID } from '../model-store';
import { inferTask } from './infer-task';
import { ProgressReporter, ProgressStream } from './progress';
import { Dtype, selectFiles } from './select-files';

export interface PullOptions {
  repo: string;
  revision?: string;
  quantized?: boolean;
  dtype?: Dtype;
  /** folder name in the store; default: the repository name without its owner */
  name?: string;
  /** the model store folder */
  outDir: string;
  /** overrides the task read from config.json */
  task?: string;
  /** replace an existing model folder of the same name */
  force?: boolean;
}

export interface PullDeps {
  client: HubClient;
  /** where progress and notes go (stderr in the CLI) */
  out: ProgressStream;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/**
 * What the pull writes to `llmos.json`: only keys the model store reads
 * (serving-settings.ts rejects unknown ones), so the folder loads as it is.
 */
export interface PulledModelManifest {
  task: ServableTask;
  /** the ONNX graph to load, relative to the model folder */
  onnx: string;
  /** the variant `onnx` is (the model store checks the two agree) */
  dtype: Dtype;
  description: string;
}

/** Where the files came from, written to `.llmos-pull.json` beside them. */
export interface PullProvenance {
  hub: string;
  repo: string;
  revision: string;
  commit: string;
  dtype: Dtype;
  pulledAt: string;
  files: RepoFile[];
}

export interface PullResult {
  dir: string;
  manifest: PulledModelManifest;
  provenance: PullProvenance;
  files: RepoFile[];
  totalBytes: number;
  downloadedBytes: number;
  warnings: string[];
}

export const MANIFEST_FILE = 'llmos.json';
export const PROVENANCE_FILE = '.llmos-pull.json';
/** inside the .partial folder: which commit its files belong to */
const MARKER_FILE = '.pull.json';
const REPO_ID = /^([A-Za-z0-9][\w.-]*\/)?[A-Za-z0-9][\w.-]*$/;
/** the tasks the model store serves for Hugging Face models */
export type ServableTask = (typeof HF_TASKS)[number];
const isServable = (task: string): task is ServableTask => (HF_TASKS as readonly string[]).includes(task);

export function defaultModelName(repo: string): string {
  return repo.split('/').pop()!;
}

export async function pullModel(opts: PullOptions, deps: PullDeps): Promise<PullResult> {
  const revision = opts.revision || 'main';
  if (!REPO_ID.test(opts.repo) || opts.repo.includes('..')) {
    throw new PullError(`"${opts.repo}" is not a Hub repository id; expected owner/name, e.g. Xenova/gpt2`);
  }
  const name = opts.name ?? defaultModelName(opts.repo);
  if (!MODEL_ID.test(name) || name.endsWith('.partial')) {
    throw new PullError(`--name "${name}" is not a usable folder name: letters, digits, . _ - (not starting with . or -, not ending in .partial)`);
  }
  if (opts.task !== undefined && !isServable(opts.task)) throw new PullError(`--task "${opts.task}" is not one of: ${HF_TASKS.join(', ')}`);
  const outDir = resolve(opts.outDir);
  const finalDir = join(outDir, name);
  const partialDir = `${finalDir}.partial`;
  if ((await exists(finalDir)) && !opts.force) {
    throw new PullError(`${finalDir} already exists; pass --force to replace it, or --name to keep both`);
  }

  const note = (line: string) => deps.out.write(`${line}\n`);
  const snapshot = await withRetries(() => deps.client.snapshot(opts.repo, revision), deps, note);
  const selection = selectFiles(opts.repo, snapshot.files, { quantized: opts.quantized, dtype: opts.dtype });
  selection.warnings.forEach((w) => note(`warning: ${w}`));
  note(`${opts.repo}@${revision} (commit ${snapshot.commit.slice(0, 12)}): ${selection.files.length} files, ONNX graph ${selection.onnx.model} (${selection.onnx.dtype})`);

  await preparePartialDir(partialDir, snapshot);
  const totalBytes = selection.files.reduce((s, f) => s + (f.size ?? 0), 0);
  let already = 0;
  for (const f of selection.files) already += Math.min(await sizeOf(join(partialDir, f.path)), f.size ?? 0);
  const progress = new ProgressReporter(totalBytes, already, deps.out);
  const downloadDeps: DownloadDeps = {
    client: deps.client,
    retry: deps.retry,
    sleep: deps.sleep,
    onBytes: (n) => progress.add(n),
    log: (line) => progress.line(line),
  };

  let task: ServableTask | undefined;
  let downloadedBytes = 0;
  for (const file of selection.files) {
    const dest = join(partialDir, file.path);
    progress.fileStarted(file.path);
    const { bytes, resumedFrom } = await downloadFile({ repo: opts.repo, commit: snapshot.commit, file }, dest, downloadDeps);
    downloadedBytes += bytes - resumedFrom;
    progress.fileDone(file.path, bytes);
    if (file.path === 'config.json') {
      // decided before the large downloads, so a model we cannot serve costs no bandwidth
      task = resolveTask(opts, await readJson(dest, 'config.json'), snapshot.files.map((f) => f.path));
    }
  }
  progress.finish();

  const pulledAt = (deps.now?.() ?? new Date()).toISOString();
  const manifest: PulledModelManifest = {
    task: task!,
    onnx: selection.onnx.model,
    dtype: selection.onnx.dtype,
    description: `${opts.repo}@${revision} (commit ${snapshot.commit.slice(0, 12)}), ${selection.onnx.dtype} ONNX graph, pulled ${pulledAt.slice(0, 10)}`,
  };
  const provenance: PullProvenance = {
    hub: deps.client.endpoint,
    repo: opts.repo,
    revision,
    commit: snapshot.commit,
    dtype: selection.onnx.dtype,
    pulledAt,
    files: selection.files,
  };
  await writeFile(join(partialDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(partialDir, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
  await rm(join(partialDir, MARKER_FILE), { force: true });
  await publish(partialDir, finalDir, !!opts.force);
  note(`${opts.repo} is ready in ${finalDir} (task ${manifest.task})`);
  return { dir: finalDir, manifest, provenance, files: selection.files, totalBytes, downloadedBytes, warnings: selection.warnings };
}

function resolveTask(opts: PullOptions, config: Record<string, unknown>, repoPaths: string[]): ServableTask {
  if (opts.task) return opts.task as ServableTask;
  const task = inferTask(config, repoPaths);
  const seen = `architectures: ${JSON.stringify(config.architectures ?? null)}, model_type: ${JSON.stringify(config.model_type ?? null)}`;
  if (!task) {
    throw new PullError(
      `Cannot tell the task of ${opts.repo} from its config.json (${seen}); pass --task, one of: ${HF_TASKS.join(', ')}. ` +
        'What is downloaded so far stays in the .partial folder for the next run.',
    );
  }
  if (!isServable(task)) {
    throw new PullError(`${opts.repo} is a ${task} model (${seen}); LLM OS serves ${HF_TASKS.join(', ')}. Nothing large was downloaded.`);
  }
  return task;
}

/** Keeps files of an interrupted pull of the same commit; clears anything else. */
async function preparePartialDir(partialDir: string, snapshot: RepoSnapshot): Promise<void> {
  const marker = { repo: snapshot.repo, commit: snapshot.commit };
  if (await exists(partialDir)) {
    let previous: { repo?: string; commit?: string } | undefined;
    try {
      previous = JSON.parse(await readFile(join(partialDir, MARKER_FILE), 'utf8'));
    } catch {
      previous = undefined;
    }
    if (previous?.repo !== marker.repo || previous?.commit !== marker.commit) await rm(partialDir, { recursive: true, force: true });
  }
  await mkdir(partialDir, { recursive: true });
  await writeFile(join(partialDir, MARKER_FILE), JSON.stringify(marker));
}

/** rename() within one folder is atomic: the model appears complete or not at all. */
async function publish(partialDir: string, finalDir: string, force: boolean): Promise<void> {
  if (!(await exists(finalDir))) {
    await rename(partialDir, finalDir);
    return;
  }
  if (!force) throw new PullError(`${finalDir} appeared while downloading; pass --force to replace it`);
  const old = `${finalDir}.old-${process.pid}`;
  await rename(finalDir, old);
  await rename(partialDir, finalDir);
  await rm(old, { recursive: true, force: true });
}

async function withRetries<T>(fn: () => Promise<T>, deps: PullDeps, note: (line: string) => void): Promise<T> {
  const retry = deps.retry ?? { attempts: 4, baseDelayMs: 1000, maxDelayMs: 8000 };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof TransientHubError) || attempt >= retry.attempts) throw err;
      const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
      note(`${err.message}; retry ${attempt}/${retry.attempts - 1} in ${(delay / 1000).toFixed(1)} s`);
      await sleep(delay);
    }
  }
}

async function readJson(path: string, label: string): Promise<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new PullError(`${label} of this repository is not a JSON object`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
