/**
 * Durability of event ingestion with a real server process (embedded database in DATA_DIR):
 * 100k events through HTTP bulk requests lose none, and a kill -9 right after a request is
 * acknowledged, while another is in flight, loses no acknowledged event. The in-flight request
 * is all-or-nothing per batch: after the restart each of its REC_EVENT_BATCH_SIZE batches is
 * there entirely or not at all, and the ones there are a prefix (batches commit in order).
 * Counting goes through the API: resending a request answers how many of its ids are there
 * already (`duplicates`).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, closeConnections, freePort, startServer, waitFor } from '../../bench/lib/server';

jest.setTimeout(180_000);

const REC = '/api/v1/recommendations';
const BATCH = 5000;
const PER_REQUEST = 25_000;
const ITEMS = Array.from({ length: 100 }, (_, i) => ({ id: `item-${i}`, title: `Item ${i}`, category: `c${i % 5}` }));

const events = (tag: string, n: number) =>
  Array.from({ length: n }, (_, e) => ({ id: `${tag}-${e}`, userId: `${tag}-u${e % 997}`, itemId: `item-${(e * 7) % ITEMS.length}`, type: e % 5 ? 'view' : 'purchase' }));

type Ingested = { received: number; inserted: number; duplicates: number; batches: number };

describe('recommendation ingestion durability (real server, kill -9)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmos-rec-durability-'));
  let port = 0;
  let server: ChildProcess | undefined;
  const env = { NLU_BOOTSTRAP: 'false', REC_DEMO: 'false', REC_EVENT_BATCH_SIZE: String(BATCH), LOG_LEVEL: 'error' };
  const start = async () => {
    port = await freePort();
    server = startServer(port, dataDir, env);
    await waitFor(async () => (await call(port, 'GET', '/health/ready')).status === 200, 'the server to be ready', 120);
  };
  const bulk = async (list: object[]): Promise<Ingested> => {
    const r = await call(port, 'POST', `${REC}/events/bulk`, { events: list });
    if (r.status !== 201) throw new Error(`bulk answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body as Ingested;
  };

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    closeConnections();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged event, and a request cut by kill -9 is all-or-nothing per batch', async () => {
    await start();
    expect((await call(port, 'POST', `${REC}/items/bulk`, { items: ITEMS })).status).toBe(201);

    // 100k events in four acknowledged requests
    const acked: { tag: string; list: object[] }[] = [];
    const t0 = Date.now();
    for (const tag of ['a1', 'a2', 'a3', 'a4']) {
      const list = events(tag, PER_REQUEST);
      expect(await bulk(list)).toEqual({ received: PER_REQUEST, inserted: PER_REQUEST, duplicates: 0, batches: PER_REQUEST / BATCH });
      acked.push({ tag, list });
    }
    const ingestMs = Date.now() - t0;
    // a short request is acknowledged while a long one sent right after it is in flight; kill -9 after
    // the short one's answer, about halfway through the long one (the embedded database runs
    // queries on the server's event loop, so requests are served one after the other)
    const last = events('a5', BATCH);
    const cut = events('b', 16 * BATCH);
    const exited = new Promise((r) => server!.once('exit', r));
    let cutAcked = false;
    const acknowledged = bulk(last);
    const inFlight = bulk(cut).then(
      () => (cutAcked = true),
      () => undefined,
    );
    expect((await acknowledged).inserted).toBe(BATCH);
    await new Promise((r) => setTimeout(r, ((cut.length / 100_000) * ingestMs) / 2));
    server!.kill('SIGKILL');
    acked.push({ tag: 'a5', list: last });
    await exited;
    await inFlight;

    await start();
    for (const { tag, list } of acked) {
      const again = await bulk(list);
      expect({ tag, ...again }).toEqual({ tag, received: list.length, inserted: 0, duplicates: list.length, batches: list.length / BATCH });
    }
    // the cut request: each batch there entirely or not at all, a prefix of them
    const present: number[] = [];
    for (let b = 0; b < cut.length / BATCH; b++) present.push((await bulk(cut.slice(b * BATCH, (b + 1) * BATCH))).duplicates);
    for (const d of present) expect([0, BATCH]).toContain(d);
    const committed = present.filter((d) => d === BATCH).length;
    expect(present.slice(0, committed).every((d) => d === BATCH)).toBe(true);
    if (cutAcked) expect(committed).toBe(present.length);
    console.log(`100000 events ingested in ${ingestMs} ms (${Math.round(100_000 / (ingestMs / 1000))}/s); after kill -9 all ${acked.reduce((n, a) => n + a.list.length, 0)} acknowledged events are there; the in-flight request had ${committed} of ${present.length} batches committed${cutAcked ? ' (it was answered before the kill)' : ''}`);
  });
});
