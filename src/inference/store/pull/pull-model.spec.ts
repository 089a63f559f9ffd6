import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChecksumMismatchError, HubOfflineError, NoOnnxExportError, PullError } from './errors';
import { scanModelStore } from '../model-store';
import type { ServingDefaults } from '../serving-settings';
import { pullModel, PullDeps, PullOptions } from './pull-model';
import { bytes, FakeHubClient } from './testing/fake-hub-client';

const REPO = 'Xenova/tiny-gpt2';
const CONFIG = JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' });

function tinyRepo(extra: Record<string, string | Buffer> = {}, config = CONFIG): FakeHubClient {
  return FakeHubClient.text(REPO, {
    'config.json': config,
    'generation_config.json': '{"bos_token_id":50256}',
    'tokenizer.json': JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 } } }),
    'tokenizer_config.json': '{}',
    'pytorch_model.bin': bytes(3_000, 9),
    'onnx/model.onnx': bytes(20_000, 1),
    'onnx/model_quantized.onnx': bytes(6_000, 2),
    'onnx/decoder_model_merged.onnx': bytes(20_000, 3),
    ...extra,
  });
}

describe('pullModel', () => {
  let out: string;
  let log: string[];
  const deps = (client: FakeHubClient): PullDeps => ({
    client,
    out: { write: (s: string) => void log.push(s), isTTY: false },
    sleep: async () => undefined,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    now: () => new Date('2026-01-02T03:04:05Z'),
  });
  const opts = (extra: Partial<PullOptions> = {}): PullOptions => ({ repo: REPO, outDir: out, ...extra });

  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), 'llmos-store-'));
    log = [];
  });
  afterEach(() => rm(out, { recursive: true, force: true }));

  it('fills <out>/<name>/ with the chosen files and llmos.json, and leaves no .partial folder', async () => {
    const hub = tinyRepo();
    const res = await pullModel(opts(), deps(hub));
    const dir = join(out, 'tiny-gpt2');
    expect(res.dir).toBe(dir);
    expect((await readdir(out)).sort()).toEqual(['tiny-gpt2']);
    expect((await readdir(dir)).sort()).toEqual(['.llmos-pull.json', 'config.json', 'generation_config.json', 'llmos.json', 'onnx', 'tokenizer.json', 'tokenizer_config.json']);
    expect(await readdir(join(dir, 'onnx'))).toEqual(['model.onnx']);
    expect((await readFile(join(dir, 'onnx/model.onnx'))).equals(hub.files.get('onnx/model.onnx')!)).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'llmos.json'), 'utf8'))).toEqual({
      task: 'text-generation',
      onnx: 'onnx/model.onnx',
      dtype: 'fp32',
      description: `${REPO}@main (commit c0ffee000000), fp32 ONNX graph, pulled 2026-01-02`,
    });
    const provenance = JSON.parse(await readFile(join(dir, '.llmos-pull.json'), 'utf8'));
    expect(provenance).toMatchObject({ hub: 'https://hub.test', repo: REPO, revision: 'main', commit: hub.commit, dtype: 'fp32', pulledAt: '2026-01-02T03:04:05.000Z' });
    expect(provenance.files.find((f: { path: string }) => f.path === 'onnx/model.onnx')).toEqual({ path: 'onnx/model.onnx', size: 20_000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // every file was fetched from the commit the revision resolved to
    expect(new Set(hub.requests.map((r) => r.commit))).toEqual(new Set([hub.commit]));
    expect(hub.requests[0].path).toBe('config.json');
    expect(res.downloadedBytes).toBe(res.totalBytes);
    expect(log.join('')).toMatch(/100\.0%/);
  });

  it('--quantized --name: the q8 graph under the given name', async () => {
    const res = await pullModel(opts({ quantized: true, name: 'gpt2-q8' }), deps(tinyRepo()));
    expect(res.dir).toBe(join(out, 'gpt2-q8'));
    expect(await readdir(join(res.dir, 'onnx'))).toEqual(['model_quantized.onnx']);
    expect(res.manifest).toMatchObject({ onnx: 'onnx/model_quantized.onnx', dtype: 'q8' });
    expect(res.provenance.dtype).toBe('q8');
  });

  it('resumes an interrupted pull: the next run asks only for the missing bytes', async () => {
    const hub = tinyRepo();
    hub.fault('onnx/model.onnx', { dropAfter: 12_345 }, { error: new PullError('network gone for good') });
    await expect(pullModel(opts(), deps(hub))).rejects.toThrow('network gone for good');
    expect(existsSync(join(out, 'tiny-gpt2'))).toBe(false);
    expect((await readFile(join(out, 'tiny-gpt2.partial/onnx/model.onnx'))).length).toBe(12_345);

    hub.requests.length = 0;
    const res = await pullModel(opts(), deps(hub));
    expect(hub.startsFor('onnx/model.onnx')).toEqual([12_345]);
    // the small files were complete and verified from disk
    expect(hub.startsFor('config.json')).toEqual([]);
    expect(res.downloadedBytes).toBe(20_000 - 12_345);
    expect(log.join('')).toMatch(/resuming: /);
    expect((await readFile(join(res.dir, 'onnx/model.onnx'))).equals(hub.files.get('onnx/model.onnx')!)).toBe(true);
  });

  it('a partial folder of another commit is cleared, not mixed in', async () => {
    await mkdir(join(out, 'tiny-gpt2.partial/onnx'), { recursive: true });
    await writeFile(join(out, 'tiny-gpt2.partial/.pull.json'), JSON.stringify({ repo: REPO, commit: 'an-older-commit' }));
    await writeFile(join(out, 'tiny-gpt2.partial/onnx/model.onnx'), 'stale bytes');
    const hub = tinyRepo();
    await pullModel(opts(), deps(hub));
    expect(hub.startsFor('onnx/model.onnx')).toEqual([0]);
  });

  it('a checksum mismatch fails the pull and creates no model folder', async () => {
    const hub = tinyRepo();
    hub.published.set('onnx/model.onnx', { sha256: '0'.repeat(64) });
    await expect(pullModel(opts(), deps(hub))).rejects.toBeInstanceOf(ChecksumMismatchError);
    expect(existsSync(join(out, 'tiny-gpt2'))).toBe(false);
    expect(existsSync(join(out, 'tiny-gpt2.partial/onnx/model.onnx'))).toBe(false);
    expect(existsSync(join(out, 'tiny-gpt2.partial/config.json'))).toBe(true);
  });

  it('an unknown task stops after config.json, before the large downloads', async () => {
    const hub = tinyRepo({}, JSON.stringify({ model_type: 'mystery' }));
    await expect(pullModel(opts(), deps(hub))).rejects.toThrow(/Cannot tell the task.*pass --task/s);
    expect(hub.requests.map((r) => r.path)).toEqual(['config.json']);
    const res = await pullModel(opts({ task: 'feature-extraction' }), deps(hub));
    expect(res.manifest.task).toBe('feature-extraction');
  });

  it('a model of a task LLM OS does not serve stops after config.json', async () => {
    const hub = tinyRepo({}, JSON.stringify({ architectures: ['BertForQuestionAnswering'], model_type: 'bert' }));
    await expect(pullModel(opts(), deps(hub))).rejects.toThrow(/is a question-answering model .*LLM OS serves text-generation, feature-extraction, token-classification, text-classification/);
    expect(hub.requests.map((r) => r.path)).toEqual(['config.json']);
  });

  it('the pulled folder is one the model store loads as it is, with the chosen graph', async () => {
    const defaults: ServingDefaults = {
      required: false,
      autoload: true,
      replicas: 1,
      executionProviders: ['cpu'],
      intraOpThreads: 0,
      interOpThreads: 0,
      graphOptimizationLevel: 'all',
      enableCpuMemArena: true,
          allowSpinning: false,
      batching: { enabled: true, maxBatchSize: 32, maxQueueDelayMs: 2, maxQueueSize: 1024 },
      timeoutMs: 30000,
    };
    await pullModel(opts({ quantized: true }), deps(tinyRepo()));
    const scan = scanModelStore(out, defaults);
    expect(scan.problems).toEqual([]);
    expect(scan.models.map((m) => [m.id, m.task, m.onnx, m.hasTokenizer])).toEqual([['tiny-gpt2', 'text-generation', join(out, 'tiny-gpt2/onnx/model_quantized.onnx'), true]]);
  });

  it('no ONNX export: fails before creating anything', async () => {
    const hub = FakeHubClient.text('Qwen/Qwen2.5-0.5B-Instruct', { 'config.json': CONFIG, 'model.safetensors': bytes(100) });
    await expect(pullModel(opts({ repo: 'Qwen/Qwen2.5-0.5B-Instruct' }), deps(hub))).rejects.toBeInstanceOf(NoOnnxExportError);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses to overwrite an existing model unless --force', async () => {
    await mkdir(join(out, 'tiny-gpt2'));
    await writeFile(join(out, 'tiny-gpt2/old.txt'), 'old');
    const hub = tinyRepo();
    await expect(pullModel(opts(), deps(hub))).rejects.toThrow(/already exists; pass --force/);
    expect(hub.requests).toHaveLength(0);
    await pullModel(opts({ force: true }), deps(hub));
    expect(existsSync(join(out, 'tiny-gpt2/old.txt'))).toBe(false);
    expect((await readdir(out)).sort()).toEqual(['tiny-gpt2']);
  });

  it('retries a transient failure of the file list, but not an offline machine', async () => {
    const hub = tinyRepo();
    const { TransientHubError } = await import('./errors');
    let calls = 0;
    const flaky = Object.assign(Object.create(hub) as FakeHubClient, {
      snapshot: async (repo: string, rev: string) => {
        if (++calls === 1) throw new TransientHubError('HTTP 503 from the Hub');
        return hub.snapshot(repo, rev);
      },
    });
    await pullModel(opts(), deps(flaky));
    expect(calls).toBe(2);

    let offlineCalls = 0;
    const offline = Object.assign(Object.create(hub) as FakeHubClient, {
      snapshot: async () => {
        offlineCalls++;
        throw new HubOfflineError('https://huggingface.co', 'ENOTFOUND: the host name does not resolve');
      },
    });
    await expect(pullModel(opts({ name: 'other' }), deps(offline))).rejects.toBeInstanceOf(HubOfflineError);
    expect(offlineCalls).toBe(1);
  });

  it.each([
    [{ repo: 'not a repo' }, /not a Hub repository id/],
    [{ repo: '../etc/passwd' }, /not a Hub repository id/],
    [{ name: '.hidden' }, /not a usable folder name/],
    [{ name: 'x.partial' }, /not a usable folder name/],
    [{ task: 'image-generation' }, /--task "image-generation" is not one of/],
  ])('rejects bad options %j', async (bad, message) => {
    await expect(pullModel(opts(bad), deps(tinyRepo()))).rejects.toThrow(message);
  });
});
