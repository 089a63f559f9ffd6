/**
 * Download progress on stderr: a redrawn bar on a terminal, plain lines (every 10 % or
 * 15 s, and per file) when the output goes to a log.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** 75 -> "1:15", 3725 -> "1:02:05"; unknown -> "--:--" */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export interface ProgressState {
  done: number;
  total: number;
  /** bytes per second; undefined until measured */
  speed?: number;
  label: string;
}

/** One status line, e.g. "[#######.............]  35.2%  120 MiB / 342 MiB  5.1 MiB/s  ETA 0:43  onnx/model.onnx" */
export function renderLine(state: ProgressState, width = 100, barWidth = 20): string {
  const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 0;
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
  const pct = `${(fraction * 100).toFixed(1).padStart(5)}%`;
  const speed = state.speed ? `${formatBytes(state.speed)}/s` : '-- /s';
  const eta = state.speed ? formatDuration((state.total - state.done) / state.speed) : formatDuration(undefined);
  const head = `${bar} ${pct}  ${formatBytes(state.done)} / ${formatBytes(state.total)}  ${speed}  ETA ${eta}  `;
  const room = width - head.length;
  // a line longer than the terminal wraps, and \r then redraws only its last part
  if (room < 8) return head.trimEnd();
  const label = state.label.length > room ? `...${state.label.slice(-(room - 3))}` : state.label;
  return head + label;
}

export class ProgressReporter {
  private done: number;
  private label = '';
  private samples: [number, number][] = [];
  private lastDraw = 0;
  private lastPlainStep = -1;
  private lastPlainAt = 0;

  constructor(
    private readonly total: number,
    alreadyDone: number,
    private readonly out: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {
    this.done = alreadyDone;
    this.samples.push([now(), alreadyDone]);
    if (alreadyDone > 0) this.line(`resuming: ${formatBytes(alreadyDone)} of ${formatBytes(total)} already downloaded`);
  }

  fileStarted(path: string): void {
    this.label = path;
    this.draw(true);
  }

  add(delta: number): void {
    this.done += delta;
    this.draw(false);
  }

  fileDone(path: string, bytes: number): void {
    this.line(`done ${path} (${formatBytes(bytes)}, verified)`);
  }

  /** a message between bar redraws (retries, warnings) */
  line(text: string): void {
    if (this.out.isTTY) this.out.write(`\r\x1b[K${text}\n`);
    else this.out.write(`${text}\n`);
    if (this.out.isTTY && this.label) this.draw(true);
  }

  finish(): void {
    if (this.out.isTTY) this.out.write(`\r\x1b[K${renderLine(this.state(), this.out.columns ?? 100)}\n`);
  }

  speed(): number | undefined {
    const t = this.now();
    this.samples.push([t, this.done]);
    while (this.samples.length > 2 && t - this.samples[0][0] > 5000) this.samples.shift();
    const [t0, d0] = this.samples[0];
    const dt = (t - t0) / 1000;
    return dt >= 0.5 && this.done > d0 ? (this.done - d0) / dt : undefined;
  }

  private state(): ProgressState {
    return { done: this.done, total: this.total, speed: this.speed(), label: this.label };
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (this.out.isTTY) {
      if (!force && t - this.lastDraw < 100) return;
      this.lastDraw = t;
      this.out.write(`\r\x1b[K${renderLine(this.state(), (this.out.columns ?? 100) - 1)}`);
      return;
    }
    const step = this.total > 0 ? Math.floor((this.done / this.total) * 10) : 0;
    if (step > this.lastPlainStep || t - this.lastPlainAt >= 15000) {
      this.lastPlainStep = Math.max(step, this.lastPlainStep);
      this.lastPlainAt = t;
      this.out.write(`${renderLine(this.state(), 200)}\n`);
    }
  }
}
