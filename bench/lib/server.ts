/**
 * A real server process for the benchmarks that measure it from outside: spawned on a free
 * port with a temporary DATA_DIR (PGlite), talked to over keep-alive HTTP. Runs the compiled
 * server from dist (npm run bench:*) or src/main.ts through ts-node when the bench itself
 * runs under ts-node.
 */
import { spawn, ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import { extname, join, resolve } from 'node:path';

export interface Reply {
  status: number;
  body: unknown;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

export function call(port: number, method: string, path: string, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolvePromise, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* plain text */
        }
        resolvePromise({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Closes the keep-alive sockets (at the end of a bench, so the process can exit). */
export const closeConnections = (): void => agent.destroy();

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the server; `env` adds to or overrides the bench defaults (no keys, no rate limit, 50 MB bodies). */
export function startServer(port: number, dataDir: string, env: Record<string, string> = {}): ChildProcess {
  const compiled = extname(__filename) === '.js';
  const main = compiled ? resolve(__dirname, '..', '..', 'src', 'main.js') : resolve(__dirname, '..', '..', 'src', 'main.ts');
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = [...nodeArgs, ...(compiled ? [main] : ['-r', 'ts-node/register/transpile-only', main])];
  const childEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    MODELS_DIR: join(dataDir, 'models'),
    DATABASE_URL: '',
    API_KEYS: '',
    NLU_BOOTSTRAP: 'true',
    BODY_LIMIT: '50mb',
    INFERENCE_AUTOLOAD: 'false',
    RATE_LIMIT_MAX: '0',
    ...env,
  };
  const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (c: Buffer) => process.stderr.write(`[server] ${c.toString()}`));
  return child;
}

export async function waitFor(check: () => Promise<boolean>, what: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await delay(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}
