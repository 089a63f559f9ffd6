import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NluTrainingData } from '../core/types';
import { INTENT_ONNX_FILE, sha256Hex, TAGGER_FILE } from '../runtime/artifact-files';
import { Featurizer } from './featurizer';
import { runIntentModelReference } from './intent-onnx';
import type { TrainingProgress } from './pipeline';
import { runTrainingInWorker, TrainingAbortedError } from './run-training';
import { SequenceTagger } from './sequence-tagger';
import { syntheticExamples, syntheticLargeSet } from './synthetic.fixture';

const data = (examples: NluTrainingData['examples']): NluTrainingData => ({ examples, lookups: [], synonyms: [], regexes: [] });

describe('runTrainingInWorker', () => {
  it('trains in a child process: progress reaches this process while it runs, and the main loop stays mostly idle', async () => {
    const training = data(syntheticLargeSet(800, 4));
    const progress: TrainingProgress[] = [];
    const elu = performance.eventLoopUtilization();
    const artifacts = await runTrainingInWorker(training, { intent: { hidden: 32, seed: 1 }, tagger: { epochs: 5 } }, (p) => progress.push(p));
    const busy = performance.eventLoopUtilization(elu).utilization;

    // The trainer says where it ran: another process (whose memory goes back to the OS when
    // it exits); this one only received messages.
    expect(artifacts.thread.pid).not.toBe(process.pid);
    expect(artifacts.thread.pid).toBeGreaterThan(0);
    // and that process ends with the run, taking its memory with it
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 400 && alive(artifacts.thread.pid); i++) await new Promise((r) => setTimeout(r, 25));
    expect(alive(artifacts.thread.pid)).toBe(false);
    // Trained here, the loop would be busy the whole time (utilization ~1).
    expect(busy).toBeLessThan(0.5);

    // every epoch's progress message arrived before the result
    const intentEpochs = progress.filter((p) => p.phase === 'intent');
    expect(intentEpochs.length).toBe(artifacts.intent.metrics.epochsRun);
    expect(progress.some((p) => p.phase === 'tagger')).toBe(true);
    expect(progress[progress.length - 1]).toEqual({ phase: 'export' });

    // the artifacts are usable on this side: typed arrays survived the transfer
    expect(artifacts.intent.weights.inW).toBeInstanceOf(Float32Array);
    expect(artifacts.intentOnnx).toBeInstanceOf(Uint8Array);
    expect(artifacts.metrics.intent.valAccuracy).toBeGreaterThan(0.9);
    expect(artifacts.metrics.entities?.overall.f1).toBeGreaterThan(0.9);
    const f = new Featurizer(artifacts.intent.featurizer);
    const probs = runIntentModelReference(artifacts.intent, [f.featurize('明天上海会下雨吗')]);
    expect(artifacts.intent.labels[probs.indexOf(Math.max(...probs))]).toBe('weather_query');
    const tagger = SequenceTagger.fromJSON(JSON.parse(artifacts.tagger!));
    expect(tagger.predict('明天上海会下雨吗').map((e) => e.text)).toEqual(['明天', '上海']);
  });

  it('with artifactDir, writes the ONNX and tagger files in the worker and posts only their checksums', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmos-artifacts-'));
    const training = data(syntheticExamples(3, 2));
    const artifacts = await runTrainingInWorker(training, { artifactDir: path.join(dir, 'v1'), intent: { epochs: 3, hidden: 8 }, tagger: { epochs: 2 } }, () => undefined);
    expect(artifacts.intentOnnx).toBeNull();
    expect(artifacts.tagger).toBeNull();
    expect(artifacts.intent.weights.inW.length).toBe(0);
    expect(artifacts.files?.map((f) => f.name).sort()).toEqual([INTENT_ONNX_FILE, TAGGER_FILE]);
    for (const f of artifacts.files!) {
      const bytes = fs.readFileSync(path.join(dir, 'v1', f.name));
      expect(bytes.length).toBe(f.bytes);
      expect(sha256Hex(bytes)).toBe(f.sha256);
    }
    expect(fs.readdirSync(path.join(dir, 'v1')).sort()).toEqual([INTENT_ONNX_FILE, TAGGER_FILE]); // no temporary files left
    const tagger = SequenceTagger.fromJSON(JSON.parse(fs.readFileSync(path.join(dir, 'v1', TAGGER_FILE), 'utf8')));
    expect(tagger.predict('明天上海会下雨吗').length).toBeGreaterThan(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads a gazetteer module inside the worker and reports failures as rejections', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmos-gaz-'));
    const mod = path.join(dir, 'gaz.js');
    fs.writeFileSync(mod, "exports.createGazetteer = (data) => (text) => data.lookups.flatMap((l) => l.elements.filter((e) => text.includes(e)).map((e) => ({ start: text.indexOf(e), end: text.indexOf(e) + e.length, type: l.name })));\n");
    const training = { ...data(syntheticExamples(2, 1)), lookups: [{ name: 'city', elements: ['北京', '上海', '乌鲁木齐'] }] };
    const artifacts = await runTrainingInWorker(training, { gazetteerModule: mod, intent: { epochs: 2, hidden: 8 } }, () => {});
    expect(JSON.parse(artifacts.tagger!).usesGazetteer).toBe(true);

    await expect(runTrainingInWorker(data([{ text: 'a', intent: 'x', entities: [] }]), {}, () => {})).rejects.toThrow(/at least 2 intents/);
    await expect(runTrainingInWorker(training, { gazetteerModule: path.join(dir, 'missing.js') }, () => {})).rejects.toThrow(/Cannot find module/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const run = runTrainingInWorker(data(syntheticLargeSet(3000, 5)), {}, (p) => {
      if (p.phase === 'intent' && p.epoch === 1) controller.abort();
    }, controller.signal);
    await expect(run).rejects.toBeInstanceOf(TrainingAbortedError);
    const already = new AbortController();
    already.abort();
    await expect(runTrainingInWorker(data([]), {}, () => {}, already.signal)).rejects.toThrow(/aborted/);
  });
});
