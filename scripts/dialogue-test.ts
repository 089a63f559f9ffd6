/**
 * npm run dialogue:test -- <tests.yml> [--assistant NAME] [--url URL] [--project ID]
 *
 * Runs a conversation-tests file (docs/dialogue.md) against a running server's assistant
 * (POST /api/v1/dialogue/assistants/{name}/test) and prints each failed turn. The key comes
 * from LLMOS_API_KEY (none for a keyless local server). Exit codes: 0 all turns passed,
 * 1 a turn failed, 2 bad arguments or a file the server rejected, 3 the server cannot be reached.
 */
import { readFileSync } from 'node:fs';

const USAGE = 'usage: npm run dialogue:test -- <tests.yml> [--assistant shop] [--url http://127.0.0.1:3000] [--project default]';

interface Report {
  tests: number;
  turns: number;
  passed: number;
  failed: number;
  failures: { test: string; turn: number; user: string; problems: string[] }[];
}

export function parseArgs(argv: string[]): { file: string; assistant: string; url: string; project?: string } {
  const out: { file?: string; assistant: string; url: string; project?: string } = { assistant: 'shop', url: process.env.LLMOS_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}` };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--assistant') out.assistant = value();
    else if (a === '--url') out.url = value().replace(/\/$/, '');
    else if (a === '--project') out.project = value();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else if (out.file) throw new Error('one tests file at a time');
    else out.file = a;
  }
  if (!out.file) throw new Error('missing the tests file');
  return { ...out, file: out.file };
}

export function formatReport(r: Report): string {
  const lines = r.failures.map((f) => `FAIL ${f.test} / turn ${f.turn} (${JSON.stringify(f.user)}):\n${f.problems.map((p) => `  - ${p}`).join('\n')}`);
  lines.push(`${r.tests} test(s), ${r.turns} turn(s): ${r.passed} passed, ${r.failed} failed`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const headers: Record<string, string> = { 'content-type': 'application/yaml' };
  if (process.env.LLMOS_API_KEY) headers.authorization = `Bearer ${process.env.LLMOS_API_KEY}`;
  if (args.project) headers['x-llmos-project'] = args.project;
  let res: Response;
  try {
    res = await fetch(`${args.url}/api/v1/dialogue/assistants/${encodeURIComponent(args.assistant)}/test`, { method: 'POST', headers, body: readFileSync(args.file, 'utf8') });
  } catch (err) {
    process.stderr.write(`cannot reach ${args.url}: ${(err as Error).message}\n`);
    return 3;
  }
  const body = (await res.json()) as Report & { message?: string; details?: unknown };
  if (!res.ok) {
    process.stderr.write(`${res.status}: ${body.message ?? JSON.stringify(body)}\n`);
    return 2;
  }
  process.stdout.write(`${formatReport(body)}\n`);
  return body.failed ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
