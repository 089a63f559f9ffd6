/**
 * The deployment files, checked offline (there is no cluster and no Docker engine here):
 * every kustomize overlay rendered with `kubectl kustomize` (where kubectl exists) and each
 * object validated against the Kubernetes schemas bundled in kubernetes-models; the
 * Compose file parsed and its references (files, services, settings) checked.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML, checked field by field below */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load, loadAll, YAML11_SCHEMA } from 'js-yaml';
import { SETTINGS } from '../src/config/config.schema';

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string>; stringData?: Record<string, string> };

const K8S = join(__dirname, 'kubernetes');
const COMPOSE = join(__dirname, 'compose');
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const overlays = readdirSync(join(K8S, 'overlays'));

function render(dir: string): K8sObject[] {
  const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${out.stderr}`);
  return loadAll(out.stdout) as K8sObject[];
}

/** Validates against the bundled OpenAPI schema of the object's apiVersion and kind (throws naming every problem). */
function validate(o: K8sObject): void {
  // e.g. apps/v1 Deployment -> kubernetes-models/apps/v1/Deployment; v1 Service -> kubernetes-models/v1/Service
  const mod = require(`kubernetes-models/${o.apiVersion}/${o.kind}`) as Record<string, new (x: unknown) => { validate(): void }>;
  new mod[o.kind](o).validate();
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const one = (objects: K8sObject[], kind: string) => {
  const found = byKind(objects, kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/kubernetes', () => {
  if (!hasKubectl) console.warn('kubectl not found: the overlays are not rendered; only the base files are validated one by one');

  it('every base and example file is a valid Kubernetes object', () => {
    const files = [...readdirSync(join(K8S, 'base')).filter((f) => f !== 'kustomization.yaml').map((f) => join(K8S, 'base', f)), ...readdirSync(join(K8S, 'examples')).map((f) => join(K8S, 'examples', f))];
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) for (const o of loadAll(readFileSync(f, 'utf8')) as K8sObject[]) expect(() => validate(o)).not.toThrow();
    // a broken object is caught (the validator is really checking)
    expect(() => validate({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'three' } })).toThrow(/replicas/);
  });

  (hasKubectl ? it.each(overlays) : it.skip.each(overlays))('overlay %s renders to valid, consistent objects', (overlay) => {
    const objects = render(join(K8S, 'overlays', overlay));
    for (const o of objects) expect(() => validate(o)).not.toThrow();
    const deployment = one(objects, 'Deployment');
    const pod = deployment.spec.template;
    const server = pod.spec.containers.find((c: { name: string }) => c.name === 'llmos');
    // probes on the health routes: ready waits for models and goes false while draining
    expect(server.startupProbe.httpGet.path).toBe('/health/ready');
    expect(server.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(server.livenessProbe.httpGet.path).toBe('/health/live');
    expect(server.resources.requests.cpu).toBeDefined();
    expect(server.resources.requests.memory).toBeDefined();
    // the models volume: written by the init container, read-only for the server
    expect(pod.spec.initContainers[0].command.concat(pod.spec.initContainers[0].args).join(' ')).toMatch(/models-pull/);
    expect(server.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/app/models')).toMatchObject({ readOnly: true });
    // selectors and references line up
    for (const kind of ['Service', 'PodDisruptionBudget']) {
      const o = one(objects, kind);
      expect(matches(o.spec.selector.matchLabels ?? o.spec.selector, pod.metadata.labels)).toBe(true);
    }
    expect(matches(deployment.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    expect(one(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    const configMap = one(objects, 'ConfigMap');
    const secret = one(objects, 'Secret');
    expect(server.envFrom.map((e: { configMapRef?: { name: string }; secretRef?: { name: string } }) => e.configMapRef?.name ?? e.secretRef?.name).sort()).toEqual([configMap.metadata.name, secret.metadata.name].sort());
    expect(Object.keys(secret.stringData ?? secret.data ?? {})).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'API_KEYS']));
    // every variable handed to the server is a setting it knows (a typo would be ignored silently)
    const names = [...Object.keys(configMap.data ?? {}), ...Object.keys(secret.stringData ?? {}), ...server.env.map((e: { name: string }) => e.name)];
    expect(names.filter((n) => !(n in SETTINGS))).toEqual([]);
    const gpu = server.resources.limits['nvidia.com/gpu'];
    if (overlay === 'gpu') {
      expect(gpu).toBe('1');
      expect(server.image).toBe('llmos:cuda');
      expect(server.env).toContainEqual({ name: 'INFERENCE_EXECUTION_PROVIDERS', value: 'cuda,cpu' });
    } else {
      expect(gpu).toBeUndefined();
      expect(server.image).not.toMatch(/cuda/);
    }
  });
});

describe('deploy/compose', () => {
  const file = join(COMPOSE, 'docker-compose.yml');
  // Compose reads YAML 1.1 merge keys (<<: *llmos)
  const compose = load(readFileSync(file, 'utf8'), { schema: YAML11_SCHEMA }) as { services: Record<string, any> };

  it('runs PostgreSQL with pgvector, Redis, three replicas and a load balancer', () => {
    const services = compose.services;
    expect(services.postgres.image).toMatch(/^pgvector\/pgvector:pg1[5-9]/);
    expect(services.redis.image).toMatch(/^redis:/);
    const replicas = Object.keys(services).filter((s) => services[s].image === 'llmos:latest');
    expect(replicas).toHaveLength(3);
    for (const r of replicas) {
      const env = services[r].environment as Record<string, string>;
      expect(Object.keys(env).filter((n) => !(n in SETTINGS))).toEqual([]);
      expect(new URL(env.DATABASE_URL).hostname).toBe('postgres');
      expect(new URL(env.REDIS_URL).hostname).toBe('redis');
      expect(Number(env.REPLICAS)).toBe(replicas.length);
      expect(Object.keys(services[r].depends_on)).toEqual(['postgres', 'redis']);
    }
    // nginx balances exactly those replicas, on the server's port
    const nginx = readFileSync(join(COMPOSE, 'nginx.conf'), 'utf8');
    const upstream = [...nginx.matchAll(/^\s*server\s+([\w-]+):(\d+)/gm)].map((m) => `${m[1]}:${m[2]}`);
    expect(upstream.sort()).toEqual(replicas.map((r) => `${r}:${SETTINGS.PORT.default}`).sort());
  });

  it('mounts only files and folders that exist', () => {
    const binds = Object.values(compose.services).flatMap((s) => (s.volumes ?? []) as string[]).map((v) => v.split(':')[0]).filter((src) => src.startsWith('.') || src.startsWith('/'));
    expect(binds.length).toBeGreaterThanOrEqual(2);
    for (const src of binds) expect({ src, exists: existsSync(resolve(COMPOSE, src)) }).toEqual({ src, exists: true });
  });
});
