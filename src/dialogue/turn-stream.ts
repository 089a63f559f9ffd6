import type { Request, Response } from 'express';
import { nativeBody, normalizeError } from '../common/error-shape';
import { SseWriter } from '../common/sse';
import type { TurnReply } from './dialogue.service';

/** The client asked for the reply as Server-Sent Events: `Accept: text/event-stream` or `?stream=true`. */
export function wantsStream(req: Request, stream?: string): boolean {
  if (stream !== undefined) return stream === 'true';
  return /\btext\/event-stream\b/i.test(req.headers.accept ?? '');
}

/**
 * A turn as Server-Sent Events: `data: {"type":"delta","text":...}` for each piece of generated
 * text as it is decoded, then one `data: {"type":"turn",...}` with the whole turn result (the
 * stored reply; a reply not from generation is this one event). The stream opens with its first
 * event, so a message refused before the turn ran (400, 404, 409, 503) is an ordinary JSON error
 * response; a failure after a delta was sent ends the stream with `{"type":"error",...}`.
 */
export async function streamTurn(res: Response, run: (onDelta: (text: string) => void) => Promise<TurnReply>): Promise<void> {
  let sse: SseWriter | undefined;
  const open = (): SseWriter => (sse ??= new SseWriter(res));
  try {
    const reply = await run((text) => open().send({ type: 'delta', text }));
    open().send({ type: 'turn', ...reply });
  } catch (err) {
    if (!sse) throw err;
    sse.send({ type: 'error', ...nativeBody(normalizeError(err), (res.req as { id?: string }).id ?? 'unknown') });
  }
  open().end();
}

/** What the OpenAPI document shows of the stream. */
export const STREAM_EXAMPLE = [
  'data: {"type":"delta","text":"我是"}',
  'data: {"type":"delta","text":"您的购物助理"}',
  'data: {"type":"turn","sessionId":"7d1f7c1e-3c55-4f6e-9b0e-2f1a9b8c7d6e","reply":"我是您的购物助理","language":"zh","intent":{"name":"chitchat","confidence":1,"via":"rule"},"entities":[],"slots":{},"actions":["chitchat:generated:gpt2"],"suggestions":[],"status":"bot"}',
  '',
].join('\n\n');
