/**
 * An in-memory Hub for the pull tests: serves real bytes with Range semantics and
 * publishes their true sizes and hashes, with scripted faults (dropped connections,
 * ignored ranges, wrong published hashes).
 */
import { createHash } from 'node:crypto';
import { HubHttpError, TransientHubError } from '../errors';
import type { FileRequest, FileResponse, HubClient, RepoFile, RepoSnapshot } from '../hub-client';

export interface Fault {
  /** drop the connection after this many bytes of the response body */
  dropAfter?: number;
  /** answer 200 with the whole file even when a range was asked for */
  ignoreRange?: boolean;
  /** throw this before sending anything */
  error?: Error;
}

export class FakeHubClient implements HubClient {
  readonly endpoint = 'https://hub.test';
  readonly requests: FileRequest[] = [];
  /** faults per path, consumed one per request */
  readonly faults = new Map<string, Fault[]>();
  /** published metadata overrides (e.g. a wrong sha256) */
  readonly published = new Map<string, Partial<RepoFile>>();
  chunkSize = 64;

  constructor(
    readonly repo: string,
    readonly files: Map<string, Buffer>,
    readonly commit = 'c0ffee0000000000000000000000000000000001',
    /** files kept in git (published with a git blob id) instead of LFS (sha256) */
    private readonly gitFiles = new Set(['config.json', 'tokenizer_config.json', 'generation_config.json', 'special_tokens_map.json']),
  ) {}

  static text(repo: string, files: Record<string, string | Buffer>): FakeHubClient {
    return new FakeHubClient(repo, new Map(Object.entries(files).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)])));
  }

  fault(path: string, ...faults: Fault[]): this {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...faults]);
    return this;
  }

  async snapshot(repo: string, revision: string): Promise<RepoSnapshot> {
    if (repo !== this.repo) throw new HubHttpError(404, `${this.endpoint}/api/models/${repo}`, `${repo}: not found (HTTP 404)`);
    const files = [...this.files].map(([path, data]): RepoFile => {
      const meta: RepoFile = this.gitFiles.has(path)
        ? { path, size: data.length, gitOid: createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex') }
        : { path, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
      return { ...meta, ...this.published.get(path) };
    });
    return { repo, revision, commit: this.commit, files };
  }

  async openFile(req: FileRequest): Promise<FileResponse> {
    this.requests.push(req);
    const data = this.files.get(req.path);
    if (!data || req.commit !== this.commit) throw new HubHttpError(404, req.path, `${req.path}: not found (HTTP 404)`);
    const fault = this.faults.get(req.path)?.shift() ?? {};
    if (fault.error) throw fault.error;
    if (req.start >= data.length && req.start > 0 && !fault.ignoreRange) {
      return { kind: 'unsatisfiable', start: req.start, total: data.length, body: chunks(Buffer.alloc(0), 1) };
    }
    const start = fault.ignoreRange ? 0 : req.start;
    let slice = data.subarray(start);
    const drop = fault.dropAfter !== undefined && fault.dropAfter < slice.length;
    if (drop) slice = slice.subarray(0, fault.dropAfter);
    const body = chunks(slice, this.chunkSize, drop ? `${req.path}: connection reset` : undefined);
    return { kind: start === 0 ? 'full' : 'partial', start, total: data.length, body };
  }

  /** start offsets asked for one path, in order */
  startsFor(path: string): number[] {
    return this.requests.filter((r) => r.path === path).map((r) => r.start);
  }
}

async function* chunks(data: Buffer, size: number, failWith?: string): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield new Uint8Array(data.subarray(i, i + size));
  if (failWith) throw new TransientHubError(failWith);
}

/** deterministic pseudo-random bytes */
export function bytes(n: number, seed = 1): Buffer {
  const out = Buffer.alloc(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}
