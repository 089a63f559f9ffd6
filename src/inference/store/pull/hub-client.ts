/**
 * The one adapter between `models:pull` and the Hugging Face Hub: every network call
 * of the pull goes through `HubClient`, so the rest is tested with a fake.
 *
 * Endpoints used (the same ones huggingface_hub uses):
 *   GET {endpoint}/api/models/{repo}/revision/{rev}?blobs=true   -> commit sha + files with size and LFS sha256
 *   GET {endpoint}/{repo}/resolve/{commit}/{path}                 -> file bytes (302 to a CDN for LFS files)
 */
import { HubHttpError, HubOfflineError, PullError, TransientHubError } from './errors';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export interface RepoFile {
  /** path inside the repository, e.g. "onnx/model.onnx" */
  path: string;
  size?: number;
  /** SHA-256 of the content, for files stored in Git LFS */
  sha256?: string;
  /** git blob id (SHA-1 of "blob <size>\0<content>"), for files stored in git */
  gitOid?: string;
}

export interface RepoSnapshot {
  repo: string;
  revision: string;
  /** the commit the revision pointed to; files are fetched from it so they all match */
  commit: string;
  files: RepoFile[];
}

export interface FileRequest {
  repo: string;
  commit: string;
  path: string;
  /** first byte wanted; > 0 sends a Range request */
  start: number;
}

export interface FileResponse {
  /** full: the whole file from byte 0; partial: from `start`; unsatisfiable: nothing past `start` (416) */
  kind: 'full' | 'partial' | 'unsatisfiable';
  start: number;
  /** the file's whole size when the server said it */
  total?: number;
  body: AsyncIterable<Uint8Array>;
}

export interface HubClient {
  readonly endpoint: string;
  snapshot(repo: string, revision: string): Promise<RepoSnapshot>;
  /** Throws TransientHubError for failures worth retrying, HubHttpError for the others. */
  openFile(req: FileRequest): Promise<FileResponse>;
}

export interface HttpHubClientOptions {
  endpoint?: string;
  /** sent as a bearer token; never logged */
  token?: string;
  /** time allowed for the file-list request (the first contact; offline machines fail here) */
  apiTimeoutMs?: number;
  /** time allowed until a file's response headers arrive */
  headersTimeoutMs?: number;
  /** a download with no bytes for this long is aborted (and retried by the caller) */
  idleTimeoutMs?: number;
  fetchImpl?: typeof fetch;
}

const USER_AGENT = 'llm-os-models-pull/1';

export class HttpHubClient implements HubClient {
  readonly endpoint: string;
  private readonly token?: string;
  private readonly apiTimeoutMs: number;
  private readonly headersTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: HttpHubClientOptions = {}) {
    this.endpoint = (opts.endpoint || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
    this.token = opts.token || undefined;
    this.apiTimeoutMs = opts.apiTimeoutMs ?? 8000;
    this.headersTimeoutMs = opts.headersTimeoutMs ?? 30000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60000;
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  async snapshot(repo: string, revision: string): Promise<RepoSnapshot> {
    const url = `${this.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
    let res: Response;
    try {
      res = await this.fetchImpl(url, { headers: this.headers(), signal: AbortSignal.timeout(this.apiTimeoutMs) });
    } catch (err) {
      throw new HubOfflineError(this.endpoint, describeNetworkError(err, this.apiTimeoutMs));
    }
    if (!res.ok) throw await this.httpError(res, url, `${repo}@${revision}`);
    let json: unknown;
    try {
      json = await res.json();
    } catch (err) {
      throw new TransientHubError(`${url}: the Hub sent a file list that is not JSON (${(err as Error).message})`);
    }
    return parseModelInfo(json, repo, revision);
  }

  async openFile(req: FileRequest): Promise<FileResponse> {
    const url = resolveUrl(this.endpoint, req.repo, req.commit, req.path);
    const headers = this.headers();
    // identity: sizes and ranges then refer to the stored bytes, not a compressed stream
    headers['accept-encoding'] = 'identity';
    if (req.start > 0) headers.range = `bytes=${req.start}-`;
    const controller = new AbortController();
    const headersTimer = setTimeout(() => controller.abort(), this.headersTimeoutMs);
    let res: Response;
    try {
      res = await this.fetchImpl(url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      throw new TransientHubError(`${req.path}: ${describeNetworkError(err, this.headersTimeoutMs)}`);
    } finally {
      clearTimeout(headersTimer);
    }
    const range = parseContentRange(res.headers.get('content-range'));
    if (res.status === 416) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: 'unsatisfiable', start: req.start, total: range?.total, body: emptyBody() };
    }
    if (res.status === 206 && range) {
      return { kind: 'partial', start: range.start, total: range.total, body: this.guard(res, controller, req.path) };
    }
    if (res.status === 200) {
      const length = res.headers.get('content-length');
      const total = length !== null && !res.headers.get('content-encoding') ? Number(length) : undefined;
      return { kind: 'full', start: 0, total: Number.isFinite(total) ? total : undefined, body: this.guard(res, controller, req.path) };
    }
    await res.body?.cancel().catch(() => undefined);
    throw await this.httpError(res, url, `${req.repo}/${req.path}`);
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': USER_AGENT };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    return h;
  }

  /** Streams the body; aborts when no byte arrives for idleTimeoutMs. */
  private async *guard(res: Response, controller: AbortController, path: string): AsyncGenerator<Uint8Array> {
    if (!res.body) return;
    const idle = setTimeout(() => controller.abort(), this.idleTimeoutMs);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        idle.refresh();
        yield chunk;
      }
    } catch (err) {
      const stalled = controller.signal.aborted ? `no data for ${this.idleTimeoutMs / 1000} s` : describeNetworkError(err, this.idleTimeoutMs);
      throw new TransientHubError(`${path}: the download broke off (${stalled})`);
    } finally {
      clearTimeout(idle);
      controller.abort();
    }
  }

  private async httpError(res: Response, url: string, what: string): Promise<PullError> {
    const hubMessage = res.headers.get('x-error-message') ?? '';
    await res.body?.cancel().catch(() => undefined);
    const said = hubMessage ? ` The Hub said: "${hubMessage}".` : '';
    const status = res.status;
    if (status === 401 || status === 403) {
      const hint = this.token
        ? 'HF_TOKEN was sent: check that it has read access and that you accepted the model\'s terms on its Hub page.'
        : 'If it is gated or private, accept its terms on its Hub page and set HF_TOKEN to a read token.';
      return new HubHttpError(status, url, `${what}: HTTP ${status}: the repository does not exist, is private, or is gated.${said} ${hint}`);
    }
    if (status === 404) {
      return new HubHttpError(status, url, `${what}: not found (HTTP 404): check the repository id and --revision.${said}`);
    }
    if (status === 408 || status === 429 || status >= 500) {
      return new TransientHubError(`${what}: HTTP ${status} from the Hub.${said}`);
    }
    return new HubHttpError(status, url, `${what}: HTTP ${status} from the Hub.${said}`);
  }
}

export function resolveUrl(endpoint: string, repo: string, commit: string, path: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(commit)}/${encoded}`;
}

interface RawSibling {
  rfilename?: unknown;
  size?: unknown;
  blobId?: unknown;
  lfs?: { sha256?: unknown; oid?: unknown; size?: unknown } | null;
}

/** Reads the `/api/models/{repo}/revision/{rev}?blobs=true` answer. */
export function parseModelInfo(json: unknown, repo: string, revision: string): RepoSnapshot {
  const body = json as { sha?: unknown; siblings?: unknown };
  if (!body || typeof body !== 'object' || !Array.isArray(body.siblings)) {
    throw new PullError(`${repo}@${revision}: the Hub's answer has no file list (siblings); is this a model repository?`);
  }
  const files: RepoFile[] = [];
  for (const s of body.siblings as RawSibling[]) {
    if (typeof s?.rfilename !== 'string') continue;
    const lfsSha = s.lfs?.sha256 ?? s.lfs?.oid;
    const size = typeof s.lfs?.size === 'number' ? s.lfs.size : typeof s.size === 'number' ? s.size : undefined;
    files.push({
      path: s.rfilename,
      size,
      sha256: typeof lfsSha === 'string' && /^[0-9a-f]{64}$/i.test(lfsSha) ? lfsSha.toLowerCase() : undefined,
      gitOid: !s.lfs && typeof s.blobId === 'string' && /^[0-9a-f]{40}$/i.test(s.blobId) ? s.blobId.toLowerCase() : undefined,
    });
  }
  return { repo, revision, commit: typeof body.sha === 'string' && body.sha ? body.sha : revision, files };
}

/** "bytes 100-199/1000" or "bytes *\/1000" */
export function parseContentRange(value: string | null): { start: number; total?: number } | undefined {
  const m = value ? /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(value.trim()) : null;
  if (!m) return undefined;
  return { start: m[1] === undefined ? 0 : Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) };
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNREFUSED: 'connection refused',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'socket closed',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted (a proxy in the way?)',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted (a proxy in the way?)',
};

/** One short reason from fetch's nested errors, e.g. "ENOTFOUND: the host name does not resolve". */
export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: unknown };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  const codes: string[] = [];
  const visit = (x: unknown, depth: number) => {
    if (!x || typeof x !== 'object' || depth > 4) return;
    const o = x as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof o.code === 'string') codes.push(o.code);
    if (Array.isArray(o.errors)) o.errors.forEach((inner) => visit(inner, depth + 1));
    visit(o.cause, depth + 1);
  };
  visit(err, 0);
  const code = codes.find((c) => c in NETWORK_CODES) ?? codes[0];
  if (code) return NETWORK_CODES[code] ? `${code}: ${NETWORK_CODES[code]}` : code;
  return e?.message ?? String(err);
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {
  // nothing to stream
}
