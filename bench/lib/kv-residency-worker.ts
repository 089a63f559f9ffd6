/**
 * bench:generation:kv's worker: one ONNX Runtime session of a causal LM (logits for the
 * last position only, as the pool serves it) that runs decode steps in two ways:
 * `transfer` = today's design (the past comes with the run, every output goes back,
 * buffers transferred), `resident` = the KV cache kept here (the run brings token ids and
 * positions, only the logits go back). A prototype to measure, not a serving path.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { lastTokenLogits } from '../../src/inference/onnx/last-token-logits';
import { createSession, makeTensor, OrtSession } from '../../src/inference/runtime/ort';

interface Wire {
  type: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

let session: OrtSession;
let past: Record<string, Wire> = {};
let pastLength = 0;

const toFeeds = (wire: Record<string, Wire>) => Object.fromEntries(Object.entries(wire).map(([n, t]) => [n, makeTensor(t.type, t.data, t.dims)]));

async function run(feeds: Record<string, Wire>): Promise<Record<string, Wire>> {
  const out = await session.run(toFeeds(feeds));
  return Object.fromEntries(Object.entries(out).map(([n, t]) => [n, { type: t.type, dims: [...t.dims], data: t.data as Float32Array }]));
}

parentPort!.on('message', (msg: { type: string; feeds?: Record<string, Wire>; ids?: BigInt64Array; positions?: BigInt64Array }) => {
  void (async () => {
    if (msg.type === 'init') {
      const bytes = readFileSync(workerData.model as string);
      session = (await createSession(lastTokenLogits(bytes) ?? bytes, { executionProviders: ['cpu'] })).session;
      parentPort!.postMessage({ type: 'ready' });
    } else if (msg.type === 'transfer') {
      const out = await run(msg.feeds!);
      const buffers = [...new Set(Object.values(out).map((t) => t.data.buffer as ArrayBuffer))];
      parentPort!.postMessage({ type: 'result', outputs: out }, buffers);
    } else if (msg.type === 'resident-prefill') {
      const out = await run(msg.feeds!);
      past = {};
      for (const [n, t] of Object.entries(out)) if (n.startsWith('present.')) past[n.replace('present.', 'past_key_values.')] = t;
      pastLength = msg.feeds!.input_ids.dims[1];
      parentPort!.postMessage({ type: 'result', outputs: { logits: out.logits } }, [out.logits.data.buffer as ArrayBuffer]);
    } else if (msg.type === 'resident-step') {
      const B = msg.ids!.length;
      const feeds: Record<string, Wire> = {
        input_ids: { type: 'int64', dims: [B, 1], data: msg.ids! },
        position_ids: { type: 'int64', dims: [B, 1], data: msg.positions! },
        attention_mask: { type: 'int64', dims: [B, pastLength + 1], data: new BigInt64Array(B * (pastLength + 1)).fill(1n) },
        ...past,
      };
      const out = await run(feeds);
      for (const [n, t] of Object.entries(out)) if (n.startsWith('present.')) past[n.replace('present.', 'past_key_values.')] = t;
      pastLength++;
      parentPort!.postMessage({ type: 'result', outputs: { logits: out.logits } }, [out.logits.data.buffer as ArrayBuffer]);
    }
  })();
});
