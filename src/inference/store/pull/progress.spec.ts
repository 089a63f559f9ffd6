import { formatBytes, formatDuration, ProgressReporter, renderLine } from './progress';

describe('progress formatting', () => {
  it('formatBytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(655_000_000)).toBe('625 MiB');
    expect(formatBytes(2.5 * 1024 ** 3)).toBe('2.5 GiB');
  });

  it('formatDuration', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(undefined)).toBe('--:--');
    expect(formatDuration(Infinity)).toBe('--:--');
  });

  it('renderLine shows bar, percent, bytes, speed and ETA, and shortens long labels from the left', () => {
    const line = renderLine({ done: 25 * 1024 ** 2, total: 100 * 1024 ** 2, speed: 5 * 1024 ** 2, label: 'onnx/model.onnx' });
    expect(line).toBe('[#####...............]  25.0%  25.0 MiB / 100 MiB  5.0 MiB/s  ETA 0:15  onnx/model.onnx');
    const narrow = renderLine({ done: 0, total: 10, label: 'a/very/long/path/to/onnx/model.onnx_data_1' }, 80);
    expect(narrow.length).toBe(80);
    expect(narrow).toMatch(/ETA --:-- {2}\.\.\.[^ ]+onnx_data_1$/);
    expect(renderLine({ done: 0, total: 10, label: 'onnx/model.onnx' }, 60)).toMatch(/ETA --:--$/);
  });
});

describe('ProgressReporter', () => {
  it('writes plain lines at each 10 % step when stderr is not a terminal', () => {
    const out: string[] = [];
    let t = 0;
    const p = new ProgressReporter(1000, 0, { write: (s: string) => out.push(s), isTTY: false }, () => t);
    p.fileStarted('onnx/model.onnx');
    for (let i = 0; i < 100; i++) {
      t += 100;
      p.add(10);
    }
    p.fileDone('onnx/model.onnx', 1000);
    p.finish();
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    const bars = out.filter((l) => l.startsWith('['));
    expect(bars).toHaveLength(11); // 0 %, 10 %, ..., 100 %
    expect(bars.at(-1)).toContain('100.0%  1000 B / 1000 B  100 B/s  ETA 0:00');
    expect(out.at(-1)).toBe('done onnx/model.onnx (1000 B, verified)\n');
  });

  it('redraws one line with \\r on a terminal, at most every 100 ms', () => {
    const out: string[] = [];
    let t = 0;
    const p = new ProgressReporter(1000, 400, { write: (s: string) => out.push(s), isTTY: true, columns: 120 }, () => t);
    expect(out[0]).toMatch(/resuming: 400 B of 1000 B already downloaded/);
    p.fileStarted('x');
    for (let i = 0; i < 60; i++) {
      t += 10;
      p.add(10);
    }
    const redraws = out.filter((l) => l.startsWith('\r\x1b[K['));
    expect(redraws.length).toBeGreaterThanOrEqual(6);
    expect(redraws.length).toBeLessThanOrEqual(8);
    p.line('retrying');
    expect(out.at(-2)).toBe('\r\x1b[Kretrying\n');
  });
});
