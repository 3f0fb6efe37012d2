// capsim import kubereplay (issue 20): a capture of Karpenter's kubereplay tool
// (aws/karpenter-provider-aws tools/kubereplay) -> a scenario directory that replays it in
// simulated time against the cluster autoscaler (or, once edited, Karpenter).
//
// The capture (tools/kubereplay/pkg/format/log.go, ReplayLog): {cluster, captured, events: [...]},
// each event {type: create|scale|delete, kind: Deployment|Job, key: "namespace/name",
// deployment | job (the object, for a create), replicas (for a scale), timestamp (RFC 3339)}.
// Replay semantics (tools/kubereplay/pkg/replay/engine.go, RunTimed): events sorted by timestamp,
// each applied at its offset from the first; a create of an existing object is a no-op; a scale or
// a delete of a Deployment never created fails (skipped); every Deployment gets a
// PodDisruptionBudget with maxUnavailable 50 %.
//
// Here: t = 0 is the first event (spec.start its timestamp). A Deployment is a manifest with
// replicas 0 and a scripted `scale` to its replicas at its create time, a scale event a `scale`,
// a delete a `scale` to 0 (the pods go as a delete's do; the empty object stays), and the PDB a
// manifest beside it. A Job's pods are rows of a pod trace (spec.traces) created at its create time:
// min(parallelism, completions) pods, each running ceil(completions / parallelism) times the run
// time (`sleep N` in its command when it has one, as kubereplay's demo Jobs do; else --job-run).
import fs from 'node:fs';
import path from 'node:path';
import { InputError, type Problem } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { YamlSource, type PathPart } from '../scenario/source.ts';
import { quote } from '../excerpt.ts';
import { REPORT_FILE, writeScenarioDirectory } from './writeDirectory.ts';
import { scenarioNameOf } from './importCluster.ts';

const MAX_BYTES = 160 * 1024 * 1024;
const SHOWN = 20;
const KEY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export const TRACE_FILE = 'traces/jobs.csv';

type Obj = Record<string, unknown>;

interface Event {
  index: number;
  type: 'create' | 'scale' | 'delete';
  kind: 'Deployment' | 'Job';
  key: string;
  ms: number;
  object?: Obj;
  replicas?: number;
}

export interface KubereplayImport {
  dir: string;
  cluster: string;
  events: number;
  deployments: number;
  scales: number;
  deletes: number;
  jobs: number;
  jobPods: number;
  /** Events kubereplay itself would skip or fail: a create of an existing key, a scale or delete of
   *  an unknown Deployment. */
  skipped: string[];
  /** What a Job's pods lose as trace rows (topology spread, pod affinity, several containers). */
  simplified: string[];
  durationSeconds: number;
}

export interface KubereplayOptions {
  capture: string;
  outDir: string;
  /** A Job pod's run time when its command has no `sleep N`, in seconds. */
  jobRunSeconds?: number;
  /** Simulated time after the last event, in seconds. */
  tailSeconds?: number;
  force?: boolean;
  signal?: AbortSignal;
  onNote?: (message: string) => void;
}

export async function importKubereplay(options: KubereplayOptions): Promise<KubereplayImport> {
  const shown = displayPath(path.resolve(options.capture));
  const fail = (message: string, hint: string, line = 0, column = 0, at = ''): never => {
    throw new InputError([{ file: shown, line, column, path: at, message, hint }]);
  };
  let text = '';
  try {
    const size = fs.statSync(options.capture).size;
    if (size > MAX_BYTES) fail(`is ${size} bytes, more than the ${MAX_BYTES} the import reads`, 'capture a shorter window');
    text = fs.readFileSync(options.capture, 'utf8');
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`, 'the JSON file kubereplay capture -o wrote');
  }
  const source = new YamlSource(shown, text);
  if (source.problem) throw new InputError([source.problem]);
  const root = source.documents[0];
  const problems: Problem[] = [];
  const bad = (p: readonly PathPart[], message: string, hint: string) => {
    const pos = source.position(0, p);
    problems.push({ file: shown, line: pos.line, column: pos.column, path: p.map((x) => (typeof x === 'number' ? `[${x}]` : `.${x}`)).join('').replace(/^\./, ''), message, hint });
  };
  if (!isObj(root) || !Array.isArray(root.events)) fail('is not a kubereplay capture: no "events" list at the top', 'kubereplay capture -o FILE writes {"cluster": ..., "captured": ..., "events": [...]}', 1, 1);
  const top = root as Obj;
  const events: Event[] = [];
  (top.events as unknown[]).forEach((raw, i) => {
    const at: PathPart[] = ['events', i];
    if (!isObj(raw)) return bad(at, 'is not an object', 'each event is {"type", "kind", "key", "timestamp", ...}');
    const before = problems.length;
    const type = raw.type;
    const kind = raw.kind;
    if (type !== 'create' && type !== 'scale' && type !== 'delete') bad([...at, 'type'], `${quote(String(type))} is not an event type`, 'create, scale or delete');
    if (kind !== 'Deployment' && kind !== 'Job') bad([...at, 'kind'], `${quote(String(kind))} is not a kind kubereplay captures`, 'Deployment or Job');
    if (typeof raw.key !== 'string' || !KEY.test(raw.key)) bad([...at, 'key'], `${quote(String(raw.key))} is not namespace/name`, 'e.g. "default/web"');
    const ms = typeof raw.timestamp === 'string' && RFC3339.test(raw.timestamp) ? Date.parse(raw.timestamp) : NaN;
    if (!Number.isFinite(ms)) bad([...at, 'timestamp'], `${quote(String(raw.timestamp))} is not an RFC 3339 time`, 'e.g. "2026-01-05T14:00:00Z"');
    let object: Obj | undefined;
    let replicas: number | undefined;
    if (type === 'create' && kind === 'Deployment') {
      if (!isObj(raw.deployment)) bad([...at, 'deployment'], 'is missing: a create event carries the Deployment', 'the object as kubectl get -o json prints it');
      else object = raw.deployment;
    }
    if (type === 'create' && kind === 'Job') {
      if (!isObj(raw.job)) bad([...at, 'job'], 'is missing: a create event carries the Job', 'the object as kubectl get -o json prints it');
      else object = raw.job;
    }
    if (type === 'scale') {
      if (kind === 'Job') bad([...at, 'kind'], 'a Job is not scaled', 'kubereplay scales Deployments only');
      if (!Number.isInteger(raw.replicas) || (raw.replicas as number) < 0 || (raw.replicas as number) > 100_000) bad([...at, 'replicas'], `${quote(String(raw.replicas))} is not a replica count`, 'a whole number, 0 or more');
      else replicas = raw.replicas as number;
    }
    if (type === 'delete' && kind === 'Job') bad([...at, 'kind'], 'a Job is not deleted by kubereplay', 'delete events are for Deployments');
    if (object) {
      const spec = isObj(object.spec) ? object.spec : null;
      const template = spec && isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : null;
      const side = kind === 'Job' ? 'job' : 'deployment';
      if (!template || !Array.isArray(template.containers) || template.containers.length === 0) bad([...at, side, 'spec'], 'has no spec.template.spec.containers', 'the object as kubectl get -o json prints it');
    }
    if (problems.length === before) events.push({ index: i, type: type as Event['type'], kind: kind as Event['kind'], key: raw.key as string, ms, object, replicas });
  });
  if (events.length === 0 && problems.length === 0) fail('has no events', 'capture a window with Deployment or Job events', 1, 1);
  if (problems.length > 0) {
    const list = problems.slice(0, SHOWN);
    if (problems.length > SHOWN) list.push({ file: shown, line: 0, column: 0, path: '', message: `and ${problems.length - SHOWN} more problems` });
    throw new InputError(list);
  }
  events.sort((a, b) => a.ms - b.ms || a.index - b.index);
  const startMs = Math.floor(events[0]!.ms / 1000) * 1000;
  const sec = (ms: number) => Math.round((ms - startMs) / 1000);
  const result: KubereplayImport = { dir: '', cluster: typeof top.cluster === 'string' ? top.cluster : '', events: events.length, deployments: 0, scales: 0, deletes: 0, jobs: 0, jobPods: 0, skipped: [], simplified: [], durationSeconds: 0 };
  const deployments = new Map<string, Obj>();
  /** Deployments with a manifest already (one deleted and created again is scaled up again). */
  const written = new Set<string>();
  const jobs = new Set<string>();
  const manifests: string[] = [];
  const scripted: string[] = [];
  const rows: string[] = ['name,namespace,created,duration,requests.cpu,requests.memory,limits.cpu,limits.memory,priority_class,node_selector,tolerations'];
  const jobRun = options.jobRunSeconds ?? 60;
  for (const e of events) {
    const [ns, name] = e.key.split('/') as [string, string];
    const where = `event ${e.index} (${e.type} ${e.kind} ${e.key})`;
    if (e.kind === 'Deployment') {
      const target = `Deployment/${ns}/${name}`;
      if (e.type === 'create') {
        if (deployments.has(e.key)) {
          result.skipped.push(`${where}: already created (kubereplay ignores AlreadyExists)`);
          continue;
        }
        const d = deploymentManifest(e.object!, ns, name);
        deployments.set(e.key, d);
        if (!written.has(e.key)) manifests.push(JSON.stringify(d), JSON.stringify(pdbFor(d, ns, name)));
        written.add(e.key);
        const spec = e.object!.spec as Obj;
        const replicas = Number.isInteger(spec.replicas) ? (spec.replicas as number) : 1;
        scripted.push(`    - {at: ${sec(e.ms)}s, scale: {target: ${target}, replicas: ${replicas}}}`);
        result.deployments++;
      } else if (!deployments.has(e.key)) {
        result.skipped.push(`${where}: no create before it (kubereplay fails it: "unknown deployment")`);
      } else if (e.type === 'scale') {
        scripted.push(`    - {at: ${sec(e.ms)}s, scale: {target: ${target}, replicas: ${e.replicas}}}`);
        result.scales++;
      } else {
        scripted.push(`    - {at: ${sec(e.ms)}s, scale: {target: ${target}, replicas: 0}}  # delete`);
        deployments.delete(e.key);
        result.deletes++;
      }
    } else {
      if (jobs.has(e.key)) {
        result.skipped.push(`${where}: already created (kubereplay ignores AlreadyExists)`);
        continue;
      }
      jobs.add(e.key);
      result.jobs++;
      const spec = e.object!.spec as Obj;
      const parallelism = Number.isInteger(spec.parallelism) ? (spec.parallelism as number) : 1;
      const completions = Number.isInteger(spec.completions) ? (spec.completions as number) : parallelism;
      const pods = Math.min(parallelism, completions);
      const pod = (spec.template as Obj).spec as Obj;
      const run = sleepSeconds(pod) ?? jobRun;
      const rounds = pods > 0 ? Math.ceil(completions / pods) : 0;
      const lost = [
        Array.isArray(pod.topologySpreadConstraints) && pod.topologySpreadConstraints.length > 0 ? 'topologySpreadConstraints' : '',
        isObj(pod.affinity) ? 'affinity' : '',
      ].filter(Boolean);
      if (lost.length > 0) result.simplified.push(`Job ${e.key}: ${lost.join(', ')} not replayed (a trace pod has requests, node selector, tolerations and priority class)`);
      const { requests, limits } = containerTotals(pod);
      for (let i = 0; i < pods; i++) {
        rows.push([
          `${name}-${i}`, ns, sec(e.ms), `${run * rounds}s`, requests.cpu ?? '', requests.memory ?? '', limits.cpu ?? '', limits.memory ?? '',
          typeof pod.priorityClassName === 'string' ? pod.priorityClassName : '',
          csvCell(isObj(pod.nodeSelector) ? Object.entries(pod.nodeSelector).map(([k, v]) => `${k}=${v}`).join(';') : ''),
          csvCell(Array.isArray(pod.tolerations) ? pod.tolerations.filter(isObj).map(toleration).join(';') : ''),
        ].join(','));
        result.jobPods++;
      }
    }
  }
  const lastSeconds = sec(events[events.length - 1]!.ms);
  result.durationSeconds = Math.ceil((lastSeconds + (options.tailSeconds ?? 3600)) / 60) * 60;
  const name = scenarioNameOf(options.outDir);
  const files = new Map<string, string>([
    ['scenario.yaml', scenarioYaml(name, new Date(startMs).toISOString().replace('.000Z', 'Z'), result, scripted, manifests.length > 0, result.jobPods > 0, shown)],
    [REPORT_FILE, report(result, shown, jobRun)],
  ]);
  if (manifests.length > 0) files.set('manifests/workloads.yaml', manifests.map((m) => `${m}\n`).join('---\n'));
  if (result.jobPods > 0) files.set(TRACE_FILE, rows.join('\n') + '\n');
  result.dir = await writeScenarioDirectory(options.outDir, files, { force: options.force ?? false, signal: options.signal, onNote: options.onNote });
  return result;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toleration(t: Obj): string {
  const key = typeof t.key === 'string' ? t.key : '';
  const value = typeof t.value === 'string' && t.value !== '' ? `=${t.value}` : '';
  const effect = typeof t.effect === 'string' && t.effect !== '' ? `:${t.effect}` : '';
  return `${key}${value}${effect}`;
}

/** `sleep N` in a container's command or args (kubereplay's demo Jobs: sh -c "sleep 17"). */
function sleepSeconds(pod: Obj): number | null {
  for (const c of (pod.containers as unknown[]).filter(isObj)) {
    const words = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].join(' ');
    const m = /\bsleep\s+(\d+)\b/.exec(words);
    if (m) return Number(m[1]);
  }
  return null;
}

/** The containers' requests and limits of cpu and memory, summed (a trace pod has one container). */
function containerTotals(pod: Obj): { requests: Record<string, string>; limits: Record<string, string> } {
  const sum = (field: 'requests' | 'limits') => {
    const parts: Record<string, string[]> = { cpu: [], memory: [] };
    for (const c of (pod.containers as unknown[]).filter(isObj)) {
      const r = isObj(c.resources) && isObj(c.resources[field]) ? (c.resources[field] as Obj) : {};
      for (const k of ['cpu', 'memory'] as const) if (typeof r[k] === 'string' || typeof r[k] === 'number') parts[k]!.push(String(r[k]));
    }
    const out: Record<string, string> = {};
    for (const k of ['cpu', 'memory'] as const) if (parts[k]!.length === 1) out[k] = parts[k]![0]!;
    else if (parts[k]!.length > 1) out[k] = addQuantities(parts[k]!, k);
    return out;
  };
  return { requests: sum('requests'), limits: sum('limits') };
}

function addQuantities(qs: readonly string[], kind: 'cpu' | 'memory'): string {
  const unit: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  let total = 0;
  for (const q of qs) {
    const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q);
    if (!m) return qs[0]!;
    total += Number(m[1]) * unit[m[2] ?? '']!;
  }
  return kind === 'cpu' ? `${Math.round(total * 1000)}m` : String(Math.round(total));
}

/** The Deployment as a manifest: its name, namespace, labels and spec, replicas 0 until its create. */
function deploymentManifest(d: Obj, ns: string, name: string): Obj {
  const meta = isObj(d.metadata) ? d.metadata : {};
  const spec = { ...(d.spec as Obj), replicas: 0 };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, ...(isObj(meta.labels) ? { labels: meta.labels } : {}) }, spec };
}

/** kubereplay's PDB for each Deployment (createPDBForDeployment): maxUnavailable 50 %. */
function pdbFor(d: Obj, ns: string, name: string): Obj {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: `pdb-${name}`, namespace: ns }, spec: { maxUnavailable: '50%', selector: (d.spec as Obj).selector } };
}

function scenarioYaml(name: string, start: string, r: KubereplayImport, scripted: string[], manifests: boolean, trace: boolean, source: string): string {
  const lines = [
    `# A kubereplay capture (aws/karpenter-provider-aws tools/kubereplay) of ${r.cluster ? `cluster ${r.cluster}` : 'a cluster'}, replayed by`,
    `# capsim import kubereplay from ${source}: Deployments scaled and Jobs' pods created at the capture's times.`,
    '# The capture has no nodes: the pool below is a start (the cluster autoscaler on m5.xlarge); replace it',
    '# with your node pools, or with Karpenter NodePools (docs/scenario.md "Karpenter"), to compare settings.',
    'apiVersion: capsim/v1',
    'kind: Scenario',
    'metadata:',
    `  name: ${name}`,
    `  description: "kubereplay capture replayed: ${r.deployments} Deployments, ${r.jobs} Jobs"`,
    'spec:',
    '  seed: 1',
    `  start: "${start}"`,
    `  duration: ${r.durationSeconds}s`,
    '  sampleEvery: 1m',
    '  cluster:',
    '    nodePools:',
    '      - {name: general, instanceType: aws/m5.xlarge, count: 1, min: 1, max: 50}',
    '    autoscaler: {}',
  ];
  if (manifests) lines.push('  manifests: [manifests/workloads.yaml]');
  if (trace) lines.push('  traces:', `    - file: ${TRACE_FILE}`);
  if (scripted.length > 0) lines.push('  events:', ...scripted);
  return lines.join('\n') + '\n';
}

function report(r: KubereplayImport, source: string, jobRun: number): string {
  const out = [
    '# Import report: kubereplay capture',
    '',
    `Written by \`capsim import kubereplay\` from \`${source}\`${r.cluster ? ` (cluster ${r.cluster})` : ''}: ${r.events} events, replayed from the first (t = 0) to ${r.durationSeconds} s.`,
    '',
    `- **${r.deployments} Deployments** in manifests/workloads.yaml with replicas 0, scaled to their replicas at their create time; ${r.scales} scale events as \`scale\`; ${r.deletes} deletes as a scale to 0 (the pods go; the empty Deployment stays). Each has kubereplay's PodDisruptionBudget (maxUnavailable 50 %).`,
    `- **${r.jobs} Jobs** as ${r.jobPods} pods of ${TRACE_FILE} (spec.traces), created at the Job's time: min(parallelism, completions) pods, each running ceil(completions / parallelism) × the run time (\`sleep N\` in its command, else ${jobRun} s: a capture has no run times). A Job's pods keep their requests, limits, node selector, tolerations and priority class.`,
    '- The capture has no nodes: scenario.yaml starts with one cluster-autoscaler pool of aws/m5.xlarge (1 to 50 nodes). Replace it with your pools or Karpenter NodePools.',
  ];
  if (r.skipped.length > 0) out.push('', `## Skipped (${r.skipped.length}), as kubereplay would`, '', ...r.skipped.map((s) => `- ${s}`));
  if (r.simplified.length > 0) out.push('', `## Simplified (${r.simplified.length})`, '', ...r.simplified.map((s) => `- ${s}`));
  return out.join('\n') + '\n';
}
