import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenerationMetrics } from '../generation/generation-metrics';
import { PoolMetrics } from '../inference/pool/pool-metrics';
import { NluMetrics } from '../nlu/nlu-metrics';
import { MetricsService } from './metrics.service';

const ROOT = join(__dirname, '..', '..');
const SUFFIXES = ['_bucket', '_sum', '_count'];
/** labels Prometheus adds to every scraped series */
const TARGET_LABELS = ['job', 'instance'];

interface Registered {
  type: string;
  labels: Set<string>;
}

/** Every metric /metrics can serve: the registry with each module's metrics on it, as the app builds it. */
async function registeredMetrics(): Promise<Map<string, Registered>> {
  const service = new MetricsService();
  new PoolMetrics(service.registry);
  new GenerationMetrics(service.registry);
  new NluMetrics(service);
  const out = new Map<string, Registered>();
  // Default metrics carry their labels only in their values (e.g. nodejs_heap_space_size_bytes{space}).
  const values = new Map((await service.registry.getMetricsAsJSON()).map((m) => [m.name, m.values]));
  for (const m of service.registry.getMetricsAsArray() as unknown as { name: string; type: string; labelNames: string[] }[]) {
    const labels = new Set([...m.labelNames, ...TARGET_LABELS]);
    for (const v of values.get(m.name) ?? []) for (const l of Object.keys(v.labels)) labels.add(l);
    out.set(m.name, { type: m.type, labels });
  }
  return out;
}

interface Panel {
  title?: string;
  type: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

function exprsOf(dashboard: { panels: Panel[]; templating: { list: { query?: unknown }[] } }): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: `panel "${p.title}"`, expr: t.expr });
      if (p.panels) walk(p.panels);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating.list) {
    const q = typeof v.query === 'object' && v.query ? (v.query as { query?: string }).query : v.query;
    if (typeof q === 'string' && q.includes('(')) out.push({ where: 'a template variable', expr: q });
  }
  return out;
}

/** The registered metric a series name refers to (a histogram's _bucket/_sum/_count map to it). */
function resolve(name: string, registered: Map<string, Registered>): { metric: string; bucket: boolean } | undefined {
  if (registered.has(name)) return { metric: name, bucket: false };
  for (const s of SUFFIXES) {
    const base = name.slice(0, -s.length);
    if (name.endsWith(s) && registered.get(base)?.type === 'histogram') return { metric: base, bucket: s === '_bucket' };
  }
  return undefined;
}

/** Problems in one PromQL expression: unknown metric names, selectors or groupings on labels the metrics do not have. */
function problemsIn(expr: string, registered: Map<string, Registered>): string[] {
  const problems: string[] = [];
  const used: { metric: string; bucket: boolean }[] = [];
  for (const m of expr.matchAll(/\b(llmos_[a-zA-Z0-9_]+)(\{([^}]*)\})?/g)) {
    const hit = resolve(m[1], registered);
    if (!hit) {
      problems.push(`unknown metric ${m[1]}`);
      continue;
    }
    used.push(hit);
    const allowed = registered.get(hit.metric)!.labels;
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) {
      if (!allowed.has(l[1]) && !(hit.bucket && l[1] === 'le')) problems.push(`${m[1]} has no label ${l[1]}`);
    }
  }
  const groupable = new Set(used.flatMap((u) => [...registered.get(u.metric)!.labels, ...(u.bucket ? ['le'] : [])]));
  for (const g of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
    for (const l of g[1].split(',').map((x) => x.trim()).filter(Boolean)) if (!groupable.has(l)) problems.push(`groups by ${l}, which none of its metrics has`);
  }
  return problems;
}

describe('deploy/grafana/llmos-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'llmos-dashboard.json'), 'utf8'));

  it('queries only metrics and labels that /metrics serves', async () => {
    const registered = await registeredMetrics();
    const exprs = exprsOf(dashboard);
    expect(exprs.length).toBeGreaterThan(20);
    const problems = exprs.flatMap(({ where, expr }) => problemsIn(expr, registered).map((p) => `${where}: ${p} in ${expr}`));
    expect(problems).toEqual([]);
  });

  it('shows every module metric, on the Prometheus datasource variable', async () => {
    const registered = await registeredMetrics();
    const shown = new Set(exprsOf(dashboard).flatMap(({ expr }) => [...expr.matchAll(/\bllmos_[a-zA-Z0-9_]+/g)].map((m) => resolve(m[0], registered)?.metric)));
    const modules = [...registered.keys()].filter((n) => /^llmos_(http|inference|generation|nlu)_/.test(n));
    expect(modules.filter((n) => !shown.has(n))).toEqual([]);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' }));
    const walk = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...walk(p.panels ?? [])]);
    for (const p of walk(dashboard.panels).filter((x) => x.type !== 'row')) expect((p as { datasource?: { uid?: string } }).datasource?.uid).toBe('${datasource}');
  });

  it('catches a misspelt metric or label (the check itself works)', async () => {
    const registered = await registeredMetrics();
    expect(problemsIn('rate(llmos_generation_token_total[5m])', registered)).toEqual(['unknown metric llmos_generation_token_total']);
    expect(problemsIn('sum by (le, modle) (rate(llmos_generation_time_to_first_token_seconds_bucket{model="x"}[5m]))', registered)).toEqual(['groups by modle, which none of its metrics has']);
    expect(problemsIn('llmos_nlu_parses_total{intent="greet"}', registered)).toEqual(['llmos_nlu_parses_total has no label intent']);
    expect(problemsIn('llmos_nlu_parses_total_bucket', registered)).toEqual(['unknown metric llmos_nlu_parses_total_bucket']);
  });
});

describe('docs/metrics.md', () => {
  it('documents every metric that /metrics serves', async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
    const registered = await registeredMetrics();
    // Node's default process metrics are documented as a group; every module metric by name.
    const modules = [...registered.keys()].filter((n) => /^llmos_(http|inference|generation|nlu)_/.test(n));
    expect(modules.length).toBeGreaterThan(20);
    expect(modules.filter((n) => !doc.includes(`\`${n}\``))).toEqual([]);
  });
});
