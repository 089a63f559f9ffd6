/**
 * Dialogue replies as Server-Sent Events, with the tiny GPT-2 fixture as the text-generation
 * model: chitchat streams its generated text as delta events and ends with the turn result; a
 * reply not from generation is one final event; the stored message is the whole reply, also when
 * the client leaves in the middle of the stream.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferencePool } from '../../src/inference/inference-pool.service';
import { writeTinyGpt2 } from './support/models';
import { startTestApp, TestApp } from './support/test-app';

jest.setTimeout(180_000);

const D = '/api/v1/dialogue';
type StreamEvent = { type: 'delta' | 'turn' | 'error'; text?: string; reply?: string; actions?: string[]; intent?: { name: string } | null };

describe('dialogue: streamed replies', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llmos-dlg-stream-'));
    const modelsDir = join(dataDir, 'models');
    mkdirSync(modelsDir, { recursive: true });
    await writeTinyGpt2(modelsDir);
    t = await startTestApp({ env: { DATA_DIR: dataDir, MODELS_DIR: modelsDir } });
    await t.app.get(InferencePool).startup;
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  const open = async (): Promise<string> => (await t.http().post(`${D}/sessions`).set('X-LLMOS-User', 's1').send({}).expect(201)).body.id;
  const post = (id: string, text: string, init: { accept?: string; query?: string; signal?: AbortSignal } = {}) =>
    fetch(`${base}${D}/sessions/${id}/messages${init.query ?? ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-llmos-user': 's1', ...(init.accept ? { accept: init.accept } : {}) },
      body: JSON.stringify({ text }),
      signal: init.signal,
    });
  const events = (body: string): StreamEvent[] =>
    body
      .split('\n\n')
      .filter((e) => e.startsWith('data: '))
      .map((e) => JSON.parse(e.slice(6)) as StreamEvent);
  const stored = async (id: string) => (await t.http().get(`${D}/sessions/${id}/messages`).set('X-LLMOS-User', 's1').expect(200)).body.messages as { role: string; text: string }[];

  it('chitchat streams the generated text as delta events, then the turn result; the stored reply is the whole text', async () => {
    const id = await open();
    const res = await post(id, '讲个笑话', { accept: 'text/event-stream' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const all = events(await res.text());
    const deltas = all.filter((e) => e.type === 'delta');
    const last = all[all.length - 1];
    expect(deltas.length).toBeGreaterThan(1);
    expect(all.slice(0, -1).every((e) => e.type === 'delta')).toBe(true);
    expect(last.type).toBe('turn');
    expect(last.intent?.name).toBe('chitchat');
    expect(last.actions).toEqual([expect.stringMatching(/^chitchat:generated:tiny-gpt2$/)]);
    expect(deltas.map((d) => d.text).join('').trim()).toBe(last.reply);
    const messages = await stored(id);
    expect(messages.map((m) => m.role)).toEqual(['user', 'bot']);
    expect(messages[1].text).toBe(last.reply);
  });

  it('a reply not from generation is one final event; ?stream=true asks for the stream, ?stream=false for JSON', async () => {
    const id = await open();
    const streamed = events(await (await post(id, '你好', { query: '?stream=true' })).text());
    expect(streamed).toHaveLength(1);
    expect(streamed[0]).toMatchObject({ type: 'turn', intent: { name: 'greet' } });
    expect(streamed[0].reply).toMatch(/您好/);
    const json = await post(id, '你好', { accept: 'text/event-stream', query: '?stream=false' });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await json.json()) as { intent: { name: string } }).intent.name).toBe('greet');
  });

  it('a message refused before its turn is an ordinary JSON error, not a stream', async () => {
    const missing = await post('7d1f7c1e-3c55-4f6e-9b0e-2f1a9b8c7d6e', '你好', { accept: 'text/event-stream' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    const bad = await post(await open(), '你好', { query: '?stream=maybe' });
    expect(bad.status).toBe(400);
  });

  it('a client that leaves mid-stream does not cut the turn: the whole reply is generated and stored', async () => {
    const id = await open();
    const leave = new AbortController();
    const res = await post(id, 'tell me a joke', { accept: 'text/event-stream', signal: leave.signal });
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('"type":"delta"')) seen += new TextDecoder().decode((await reader.read()).value);
    leave.abort();
    const first = events(seen.slice(0, seen.lastIndexOf('\n\n') + 2)).filter((e) => e.type === 'delta').map((e) => e.text).join('').trim();
    let messages = await stored(id);
    for (let i = 0; i < 300 && messages.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      messages = await stored(id);
    }
    expect(messages.map((m) => m.role)).toEqual(['user', 'bot']);
    expect(messages[1].text.startsWith(first)).toBe(true);
    expect(messages[1].text.length).toBeGreaterThan(first.length);
  });
});
