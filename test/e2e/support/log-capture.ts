import type { DestinationStream } from 'pino';

export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/** pino's numeric levels. */
export const LEVEL = { info: 30, warn: 40, error: 50 } as const;

/**
 * A pino destination that keeps every JSON line, for log assertions. Access lines are
 * written when the server sees the response finish, which may be after the client has
 * read it: `waitFor` waits for the line itself (the test's timeout bounds it), never a clock.
 */
export class LogCapture implements DestinationStream {
  readonly lines: LogLine[] = [];
  private waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];

  write(chunk: string): void {
    for (const text of chunk.split('\n')) {
      if (!text.trim()) continue;
      const line = JSON.parse(text) as LogLine;
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => (w.match(line) ? (w.resolve(line), false) : true));
    }
  }

  waitFor(match: (l: LogLine) => boolean): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The access line of the request with this id. */
  accessLine(requestId: string): Promise<LogLine> {
    return this.waitFor((l) => l.requestId === requestId && typeof l.responseTime === 'number');
  }

  matching(match: (l: LogLine) => boolean): LogLine[] {
    return this.lines.filter(match);
  }
}
