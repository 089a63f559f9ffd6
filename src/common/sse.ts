import type { Response } from 'express';

/**
 * Server-Sent Events on an Express response: `data: <json>\n\n` per event, flushed at
 * once, ending with OpenAI's `data: [DONE]`. A comment line every 15 s keeps proxies
 * from closing an idle stream while a long prompt is prefilled.
 */
export class SseWriter {
  private readonly keepAlive: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly res: Response) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), 15_000);
    this.keepAlive.unref();
    res.once('close', () => this.end());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(data: unknown): void {
    this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream; `done` adds OpenAI's final `data: [DONE]`. */
  end(done = false): void {
    if (this.closed) return;
    if (done) this.write('data: [DONE]\n\n');
    this.closed = true;
    clearInterval(this.keepAlive);
    if (!this.res.writableEnded) this.res.end();
  }

  private write(chunk: string): void {
    if (!this.closed && !this.res.writableEnded) this.res.write(chunk);
  }
}
