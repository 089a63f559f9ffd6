import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { HubHttpError, HubOfflineError, TransientHubError } from './errors';
import { describeNetworkError, HttpHubClient, parseContentRange, parseModelInfo, resolveUrl } from './hub-client';
import { pullModel } from './pull-model';
import { bytes } from './testing/fake-hub-client';

describe('parseModelInfo', () => {
  it('reads commit, sizes, LFS sha256 and git blob ids from the ?blobs=true answer', () => {
    const snap = parseModelInfo(
      {
        id: 'Xenova/gpt2',
        sha: 'a'.repeat(40),
        siblings: [
          { rfilename: 'config.json', size: 907, blobId: 'B'.repeat(40) },
          { rfilename: 'onnx/model.onnx', size: 653, blobId: 'c'.repeat(40), lfs: { sha256: 'D'.repeat(64), size: 655_000_000, pointerSize: 134 } },
          { rfilename: 'no-metadata.txt' },
          { size: 3 },
        ],
      },
      'Xenova/gpt2',
      'main',
    );
    expect(snap).toEqual({
      repo: 'Xenova/gpt2',
      revision: 'main',
      commit: 'a'.repeat(40),
      files: [
        { path: 'config.json', size: 907, sha256: undefined, gitOid: 'b'.repeat(40) },
        { path: 'onnx/model.onnx', size: 655_000_000, sha256: 'd'.repeat(64), gitOid: undefined },
        { path: 'no-metadata.txt', size: undefined, sha256: undefined, gitOid: undefined },
      ],
    });
  });

  it('refuses an answer without a file list', () => {
    expect(() => parseModelInfo({ error: 'x' }, 'a/b', 'main')).toThrow(/no file list/);
  });
});

describe('small parsers', () => {
  it('parseContentRange', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, total: 1000 });
    expect(parseContentRange('bytes */1000')).toEqual({ start: 0, total: 1000 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0, total: undefined });
    expect(parseContentRange(null)).toBeUndefined();
    expect(parseContentRange('items 1-2/3')).toBeUndefined();
  });

  it('resolveUrl encodes path segments and the commit', () => {
    expect(resolveUrl('https://h', 'a/b', 'refs/pr/1', 'onnx/model q.onnx')).toBe('https://h/a/b/resolve/refs%2Fpr%2F1/onnx/model%20q.onnx');
  });

  it('describeNetworkError finds the code inside fetch\'s nested causes', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'ENOTFOUND' }) });
    expect(describeNetworkError(err, 1000)).toBe('ENOTFOUND: the host name does not resolve');
    const agg = new TypeError('fetch failed', { cause: { errors: [{ code: 'ECONNREFUSED' }, { code: 'ENETUNREACH' }] } });
    expect(describeNetworkError(agg, 1000)).toBe('ECONNREFUSED: connection refused');
    expect(describeNetworkError(new DOMException('timed out', 'TimeoutError'), 8000)).toBe('no answer within 8 s');
  });
});

/** A Hub look-alike on loopback, with a separate "CDN" origin that LFS downloads redirect to. */
describe('HttpHubClient against a local Hub', () => {
  const model = bytes(50_000, 5);
  const config = Buffer.from('{"architectures":["BertModel"]}');
  const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
  let hub: Server;
  let cdn: Server;
  let hubUrl: string;
  let cdnUrl: string;

  const listen = (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
    new Promise<[Server, string]>((done) => {
      const s = createServer(handler);
      s.listen(0, '127.0.0.1', () => done([s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`]));
    });

  beforeAll(async () => {
    [cdn, cdnUrl] = await listen((req, res) => {
      seen.push({ url: `cdn${req.url}`, headers: req.headers });
      if (req.url === '/stall') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write(Buffer.alloc(10));
        return; // never ends
      }
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = m ? Number(m[1]) : 0;
      if (start >= model.length) {
        res.writeHead(416, { 'content-range': `bytes */${model.length}` }).end();
        return;
      }
      const body = model.subarray(start);
      res.writeHead(m ? 206 : 200, {
        'content-length': String(body.length),
        ...(m ? { 'content-range': `bytes ${start}-${model.length - 1}/${model.length}` } : {}),
      });
      res.end(body);
    });
    [hub, hubUrl] = await listen((req, res) => {
      seen.push({ url: req.url!, headers: req.headers });
      const url = req.url!;
      if (url.startsWith('/api/models/gated/repo/')) {
        if (req.headers.authorization !== 'Bearer hf_secret_token') {
          res.writeHead(401, { 'x-error-message': 'Access to model gated/repo is restricted.' }).end();
          return;
        }
      }
      if (url === '/api/models/test/repo/revision/main?blobs=true' || url === '/api/models/gated/repo/revision/main?blobs=true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            sha: 'f'.repeat(40),
            siblings: [
              { rfilename: 'config.json', size: config.length, blobId: createHash('sha1').update(`blob ${config.length}\0`).update(config).digest('hex') },
              { rfilename: 'onnx/model.onnx', size: 134, lfs: { sha256: createHash('sha256').update(model).digest('hex'), size: model.length, pointerSize: 134 } },
            ],
          }),
        );
      } else if (url === `/test/repo/resolve/${'f'.repeat(40)}/config.json`) {
        res.writeHead(200, { 'content-length': String(config.length) }).end(config);
      } else if (url === `/test/repo/resolve/${'f'.repeat(40)}/onnx/model.onnx`) {
        res.writeHead(302, { location: `${cdnUrl}/blob/model.onnx?signed=1` }).end();
      } else if (url.endsWith('/stall.bin')) {
        res.writeHead(302, { location: `${cdnUrl}/stall` }).end();
      } else if (url.endsWith('/busy.bin')) {
        res.writeHead(503).end();
      } else {
        res.writeHead(404, { 'x-error-message': 'Entry not found' }).end();
      }
    });
  });
  afterAll(async () => {
    cdn.closeAllConnections();
    await Promise.all([new Promise((r) => hub.close(r)), new Promise((r) => cdn.close(r))]);
  });
  beforeEach(() => (seen.length = 0));

  const read = async (body: AsyncIterable<Uint8Array>) => {
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(Buffer.from(c));
    return Buffer.concat(parts);
  };

  it('lists files and streams them, following the redirect to the CDN with a Range header', async () => {
    const client = new HttpHubClient({ endpoint: hubUrl });
    const snap = await client.snapshot('test/repo', 'main');
    expect(snap.commit).toBe('f'.repeat(40));
    expect(snap.files.map((f) => f.path)).toEqual(['config.json', 'onnx/model.onnx']);

    const full = await client.openFile({ repo: 'test/repo', commit: snap.commit, path: 'onnx/model.onnx', start: 0 });
    expect(full).toMatchObject({ kind: 'full', start: 0, total: 50_000 });
    expect((await read(full.body)).equals(model)).toBe(true);

    const part = await client.openFile({ repo: 'test/repo', commit: snap.commit, path: 'onnx/model.onnx', start: 40_000 });
    expect(part).toMatchObject({ kind: 'partial', start: 40_000, total: 50_000 });
    expect((await read(part.body)).equals(model.subarray(40_000))).toBe(true);
    expect(seen.find((s) => s.url.startsWith('cdn/blob') && s.headers.range)?.headers).toMatchObject({ range: 'bytes=40000-' });
    // undici repeats the value on redirects ("identity, identity"): still identity
    expect(seen.filter((s) => s.url.startsWith('cdn')).every((s) => /^identity(, identity)*$/.test(String(s.headers['accept-encoding'])))).toBe(true);

    const done = await client.openFile({ repo: 'test/repo', commit: snap.commit, path: 'onnx/model.onnx', start: 50_000 });
    expect(done).toMatchObject({ kind: 'unsatisfiable', total: 50_000 });
  });

  it('sends HF_TOKEN to the Hub only, never to the redirect target, and never prints it', async () => {
    const anonymous = new HttpHubClient({ endpoint: hubUrl });
    const err = await anonymous.snapshot('gated/repo', 'main').catch((e: Error) => e);
    expect(err).toBeInstanceOf(HubHttpError);
    expect((err as Error).message).toMatch(/HTTP 401.*gated.*"Access to model gated\/repo is restricted\.".*set HF_TOKEN/s);

    seen.length = 0;
    const client = new HttpHubClient({ endpoint: hubUrl, token: 'hf_secret_token' });
    await client.snapshot('gated/repo', 'main');
    const res = await client.openFile({ repo: 'test/repo', commit: 'f'.repeat(40), path: 'onnx/model.onnx', start: 0 });
    await read(res.body);
    expect(seen.filter((s) => !s.url.startsWith('cdn')).every((s) => s.headers.authorization === 'Bearer hf_secret_token')).toBe(true);
    expect(seen.filter((s) => s.url.startsWith('cdn')).map((s) => s.headers.authorization)).toEqual([undefined]);

    const missing = await client.openFile({ repo: 'test/repo', commit: 'f'.repeat(40), path: 'nope.json', start: 0 }).catch((e: Error) => e);
    expect(missing).toBeInstanceOf(HubHttpError);
    expect((missing as Error).message).not.toContain('hf_secret_token');
  });

  it('maps 404 to a final error and 503 to a retryable one', async () => {
    const client = new HttpHubClient({ endpoint: hubUrl });
    await expect(client.snapshot('test/repo', 'no-such-branch')).rejects.toThrow(/not found \(HTTP 404\): check the repository id and --revision\. The Hub said: "Entry not found"/);
    await expect(client.openFile({ repo: 'test/repo', commit: 'x', path: 'busy.bin', start: 0 })).rejects.toBeInstanceOf(TransientHubError);
  });

  it('aborts a download that stalls, as a retryable error', async () => {
    const client = new HttpHubClient({ endpoint: hubUrl, idleTimeoutMs: 300 });
    const res = await client.openFile({ repo: 'test/repo', commit: 'x', path: 'stall.bin', start: 0 });
    await expect(read(res.body)).rejects.toThrow(/broke off \(no data for 0\.3 s\)/);
  });

  it('a whole pull through the real client: verified files and llmos.json in the store', async () => {
    const out = await mkdtemp(join(tmpdir(), 'llmos-http-pull-'));
    try {
      const lines: string[] = [];
      const res = await pullModel({ repo: 'test/repo', outDir: out }, { client: new HttpHubClient({ endpoint: hubUrl }), out: { write: (t: string) => void lines.push(t) } });
      expect(res.manifest).toMatchObject({ task: 'feature-extraction', onnx: 'onnx/model.onnx' });
      expect((await readFile(join(out, 'repo/onnx/model.onnx'))).equals(model)).toBe(true);
      expect((await readFile(join(out, 'repo/config.json'))).equals(config)).toBe(true);
      expect(lines.join('')).toMatch(/warning: test\/repo has no tokenizer files/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('a closed port is reported as the Hub being unreachable', async () => {
    const closed = await listen(() => undefined);
    await new Promise((r) => closed[0].close(r));
    const client = new HttpHubClient({ endpoint: closed[1] });
    const err = await client.snapshot('test/repo', 'main').catch((e: Error) => e);
    expect(err).toBeInstanceOf(HubOfflineError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });
});

describe('HttpHubClient against the real huggingface.co', () => {
  // Machines of this project have no internet: the pull must fail within seconds with
  // a message that says how to install a model by hand. Where the Hub is reachable the
  // same call must return Xenova/gpt2's real file list instead.
  it('fails fast with the offline message (or, online, lists the real files)', async () => {
    const client = new HttpHubClient();
    const started = Date.now();
    const result = await client.snapshot('Xenova/gpt2', 'main').catch((e: Error) => e);
    const elapsed = Date.now() - started;
    if (result instanceof Error) {
      expect(result).toBeInstanceOf(HubOfflineError);
      expect(result.message).toMatch(/^Cannot reach huggingface\.co \(.+\): this machine seems to have no route to the Hugging Face Hub/);
      expect(result.message).toMatch(/copy the whole model folder/);
      expect(elapsed).toBeLessThan(9000);
    } else {
      expect(result.files.map((f) => f.path)).toContain('config.json');
      expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  }, 15000);
});
