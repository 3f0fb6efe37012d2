// capsim import alibaba-gpu-2023 (issue 20): Alibaba's GPU cluster trace of 2023
// (alibaba/clusterdata cluster-trace-gpu-v2023, the trace of "Beware of Fragmentation", ATC'23)
// -> a scenario directory that replays it in simulated time: scenario.yaml (its 1,523 nodes as
// fixed node pools), traces/pods.csv (spec.traces' pod trace format, docs/scenario.md "Pod
// traces") and import-report.md (what was done, what was dropped and why).
//
// The mapping follows the trace's own tooling, so that a replay sees what its simulator
// (hkust-adsl/kubernetes-scheduler-simulator) sees:
//  - nodes (openb_node_list_all_node.csv: sn, cpu_milli, memory_mib, gpu, model): the label
//    alibabacloud.com/gpu-card-model = model, no taints and 1001 pods a node, as
//    cluster-trace-gpu-v2023/node_yaml/openb_node_list_gpu_node.yaml writes them; grouped into
//    pools by identical (cpu, memory, GPUs, model), each with its fixed count;
//  - pods (openb_pod_list_*.csv: name, cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec, qos,
//    pod_phase, creation_time, deletion_time, scheduled_time): limits equal to requests, as
//    cluster-trace-gpu-v2023/pod_csv_to_yaml.py writes them (`container_limits =
//    container_requests.copy()`), so every pod is Guaranteed; `qos` (LS, BE, Burstable,
//    Guaranteed: Alibaba's own classes) is not mapped to a priority, as that simulator ignores it;
//    num_gpu whole GPUs as nvidia.com/gpu, or with num_gpu 1 and gpu_milli < 1000 a share
//    alibabacloud.com/gpu-milli (the GpuShare filter); gpu_spec (`V100M16|V100M32`) as required
//    node affinity on the model label.
import fs from 'node:fs';
import path from 'node:path';
import { InputError, type Problem } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { excerpt, quote } from '../excerpt.ts';
import { GPU_MODEL_LABEL } from '../model/gpuDevices.ts';
import { REPORT_FILE, writeScenarioDirectory } from './writeDirectory.ts';
import { scenarioNameOf } from './importCluster.ts';

export const NODE_FILE = 'openb_node_list_all_node.csv';
export const DEFAULT_POD_FILE = 'openb_pod_list_default.csv';
/** The files a replay's directory holds besides the report. */
export const TRACE_FILE = 'traces/pods.csv';
/** An arbitrary fixed date for the trace's t = 0 (the trace gives seconds, no date). */
export const TRACE_START = '2023-01-01T00:00:00Z';
/** Pods per node, as the trace's node YAML declares them. */
const NODE_PODS = 1001;
/** Files larger than this are refused before they are read (the default list is 0.6 MB). */
const MAX_BYTES = 256 * 1024 * 1024;
/** Problems reported at once; then how many more. */
const SHOWN = 20;

const NODE_COLUMNS = ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model'] as const;
const POD_COLUMNS = ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli', 'gpu_spec', 'qos', 'pod_phase', 'creation_time', 'deletion_time', 'scheduled_time'] as const;
const GPU_RESOURCE = 'nvidia.com/gpu';
const GPU_MILLI_RESOURCE = 'alibabacloud.com/gpu-milli';
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const MODEL = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const INTEGER = /^\d+$/;

export interface AlibabaNode {
  line: number;
  sn: string;
  cpuMilli: number;
  memoryMib: number;
  gpus: number;
  model: string;
}

export interface AlibabaPod {
  line: number;
  name: string;
  cpuMilli: number;
  memoryMib: number;
  numGpu: number;
  gpuMilli: number;
  gpuSpec: string[];
  qos: string;
  phase: string;
  created: number;
  deleted: number | null;
  scheduled: number | null;
}

export interface NodePoolPlan {
  name: string;
  cpuMilli: number;
  memoryMib: number;
  gpus: number;
  model: string;
  count: number;
}

export interface AlibabaImport {
  dir: string;
  nodes: number;
  pools: NodePoolPlan[];
  pods: number;
  /** Pods by kind of request: CPU only, whole GPUs, a share of one GPU. */
  cpuOnly: number;
  wholeGpu: number;
  shared: number;
  withModel: number;
  /** Rows without a scheduled_time (the trace's Pending pods): replayed, nothing to compare. */
  unscheduled: number;
  /** Pods asking for a GPU model no node has: replayed, they stay pending. */
  unknownModel: number;
  durationSeconds: number;
  /** The most pods alive at once at the trace's times, and the GPU milli they held. */
  peakPods: number;
  peakGpuMilli: number;
  totalGpus: number;
  /** --sequential: one pod a second, never deleted, no scheduled times to compare. */
  sequential: boolean;
  byQos: Map<string, number>;
  byPhase: Map<string, number>;
}

/** One line of a CSV file split into cells, with each cell's 1-based column. */
interface Row {
  line: number;
  cells: string[];
  columns: number[];
}

/** Reads a CSV file of the trace: a header with `columns`, rows of plain cells (the trace quotes
 *  nothing). Every problem is collected with its line and column. */
function readCsv(file: string, columns: readonly string[], problems: Problem[]): { rows: Row[]; index: Map<string, number> } | null {
  const shown = displayPath(file);
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_BYTES) {
      problems.push({ file: shown, line: 0, column: 0, path: '', message: `is ${size} bytes, more than the ${MAX_BYTES} the import reads`, hint: 'the trace\'s pod lists are under 1 MB; is this the right file?' });
      return null;
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.push({ file: shown, line: 0, column: 0, path: '', message: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`, hint: `the trace's directory holds ${NODE_FILE} and ${DEFAULT_POD_FILE} (alibaba/clusterdata cluster-trace-gpu-v2023/csv)` });
    return null;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (raw.trim() === '' && i > 0) continue;
    const cells = raw.split(',');
    const cols: number[] = [];
    let col = 1;
    for (const c of cells) {
      cols.push(col);
      col += c.length + 1;
    }
    rows.push({ line: i + 1, cells: cells.map((c) => c.trim()), columns: cols });
  }
  const header = rows.shift();
  if (!header || header.cells.every((c) => c === '')) {
    problems.push({ file: shown, line: 1, column: 1, path: '', message: 'is empty: no header row', hint: `the header is ${columns.join(',')}` });
    return null;
  }
  const index = new Map<string, number>();
  header.cells.forEach((c, i) => index.set(c, i));
  const missing = columns.filter((c) => !index.has(c));
  if (missing.length > 0) {
    problems.push({ file: shown, line: 1, column: 1, path: '', message: `the header lacks ${missing.map((m) => `"${m}"`).join(', ')} (it has ${excerpt(header.cells.join(','))})`, hint: `the trace's header is ${columns.join(',')}` });
    return null;
  }
  for (const r of rows) {
    if (r.cells.length !== header.cells.length) {
      problems.push({ file: shown, line: r.line, column: 1, path: '', message: `has ${r.cells.length} cells where the header has ${header.cells.length}`, hint: 'the trace quotes nothing: a cell holds no comma' });
    }
  }
  return { rows: rows.filter((r) => r.cells.length === header.cells.length), index };
}

/** Cell accessors that record a problem (file:line:column, the column's name, a hint). */
function cellReader(file: string, index: Map<string, number>, problems: Problem[]) {
  const shown = displayPath(file);
  const at = (r: Row, col: string) => index.get(col)!;
  const bad = (r: Row, col: string, message: string, hint: string) => {
    const i = at(r, col);
    problems.push({ file: shown, line: r.line, column: r.columns[i] ?? 1, path: col, message, hint });
  };
  return {
    text: (r: Row, col: string) => r.cells[at(r, col)]!,
    int(r: Row, col: string, opts: { optional?: boolean; max?: number } = {}): number | null {
      const v = r.cells[at(r, col)]!;
      if (v === '' && opts.optional) return null;
      if (!INTEGER.test(v) || !Number.isSafeInteger(Number(v))) {
        bad(r, col, v === '' ? 'is empty' : `${quote(v)} is not a whole number`, `${col} is a whole number of ${UNITS[col] ?? 'units'}`);
        return null;
      }
      const n = Number(v);
      if (opts.max !== undefined && n > opts.max) {
        bad(r, col, `${n} is more than ${opts.max}`, `${col} is at most ${opts.max}`);
        return null;
      }
      return n;
    },
    bad,
  };
}

const UNITS: Record<string, string> = {
  cpu_milli: 'millicores (32000 is 32 CPUs)',
  memory_mib: 'MiB',
  gpu: 'GPUs',
  num_gpu: 'GPUs (0 to 8)',
  gpu_milli: 'thousandths of a GPU (1000 is a whole GPU)',
  creation_time: 'seconds from the trace\'s start',
  deletion_time: 'seconds from the trace\'s start',
  scheduled_time: 'seconds from the trace\'s start',
};

export function readNodes(file: string, problems: Problem[]): AlibabaNode[] {
  const csv = readCsv(file, NODE_COLUMNS, problems);
  if (!csv) return [];
  const c = cellReader(file, csv.index, problems);
  const out: AlibabaNode[] = [];
  const seen = new Set<string>();
  for (const r of csv.rows) {
    const before = problems.length;
    const sn = c.text(r, 'sn');
    if (!NAME.test(sn)) c.bad(r, 'sn', sn === '' ? 'is empty' : `${quote(sn)} is not a node name`, 'a node name: lower-case letters, digits, "-" and "."');
    else if (seen.has(sn)) c.bad(r, 'sn', `${sn} is named twice`, 'each node once');
    seen.add(sn);
    const cpuMilli = c.int(r, 'cpu_milli');
    const memoryMib = c.int(r, 'memory_mib');
    const gpus = c.int(r, 'gpu', { max: 64 });
    const model = c.text(r, 'model');
    if (cpuMilli === 0) c.bad(r, 'cpu_milli', 'is 0', 'a node has CPUs');
    if (memoryMib === 0) c.bad(r, 'memory_mib', 'is 0', 'a node has memory');
    if (gpus !== null && gpus > 0 && !MODEL.test(model)) c.bad(r, 'model', model === '' ? `is empty on a node with ${gpus} GPUs` : `${quote(model)} is not a GPU model name`, 'the GPU model, e.g. V100M16, T4, G2');
    if (gpus === 0 && model !== '') c.bad(r, 'model', `${quote(model)} on a node without GPUs`, 'leave it empty when gpu is 0');
    if (problems.length === before) out.push({ line: r.line, sn, cpuMilli: cpuMilli!, memoryMib: memoryMib!, gpus: gpus!, model });
  }
  if (csv.rows.length === 0 && problems.length === 0) problems.push({ file: displayPath(file), line: 1, column: 1, path: '', message: 'has no nodes', hint: 'one row per node under the header' });
  return out;
}

export function readPods(file: string, problems: Problem[]): AlibabaPod[] {
  const csv = readCsv(file, POD_COLUMNS, problems);
  if (!csv) return [];
  const c = cellReader(file, csv.index, problems);
  const out: AlibabaPod[] = [];
  const seen = new Set<string>();
  for (const r of csv.rows) {
    const before = problems.length;
    const name = c.text(r, 'name');
    if (!NAME.test(name) || name.length > 253) c.bad(r, 'name', name === '' ? 'is empty' : `${quote(name)} is not a pod name`, 'a pod name: lower-case letters, digits, "-" and "."');
    else if (seen.has(name)) c.bad(r, 'name', `${name} is named twice`, 'each pod once');
    seen.add(name);
    const cpuMilli = c.int(r, 'cpu_milli');
    const memoryMib = c.int(r, 'memory_mib');
    const numGpu = c.int(r, 'num_gpu', { max: 64 });
    const gpuMilli = c.int(r, 'gpu_milli', { max: 1000 });
    const created = c.int(r, 'creation_time');
    const deleted = c.int(r, 'deletion_time', { optional: true });
    const scheduled = c.int(r, 'scheduled_time', { optional: true });
    if (numGpu !== null && gpuMilli !== null) {
      if (numGpu === 0 && gpuMilli !== 0) c.bad(r, 'gpu_milli', `is ${gpuMilli} where num_gpu is 0`, 'gpu_milli is 0 for a pod without GPUs');
      if (numGpu > 0 && gpuMilli === 0) c.bad(r, 'gpu_milli', `is 0 where num_gpu is ${numGpu}`, 'gpu_milli is the thousandths of each GPU the pod asks: 1000 for whole GPUs, less for a share of one');
      if (numGpu > 1 && gpuMilli > 0 && gpuMilli < 1000) c.bad(r, 'gpu_milli', `is ${gpuMilli} with num_gpu ${numGpu}: a share of several GPUs`, 'a share (gpu_milli < 1000) is of one GPU (num_gpu 1), as the trace\'s GPU-share scheduler places it');
    }
    const spec = c.text(r, 'gpu_spec');
    const gpuSpec = spec === '' ? [] : spec.split('|').filter((s) => s !== '');
    for (const m of gpuSpec) if (!MODEL.test(m)) c.bad(r, 'gpu_spec', `${quote(m)} is not a GPU model name`, 'models separated by "|", e.g. V100M16|V100M32');
    if (gpuSpec.length > 0 && numGpu === 0) c.bad(r, 'gpu_spec', 'names a GPU model for a pod without GPUs', 'leave gpu_spec empty when num_gpu is 0');
    if (created !== null) {
      if (deleted !== null && deleted < created) c.bad(r, 'deletion_time', `${deleted} is before its creation_time ${created}`, 'a pod is deleted after it is created');
      if (scheduled !== null && scheduled < created) c.bad(r, 'scheduled_time', `${scheduled} is before its creation_time ${created}`, 'a pod is scheduled after it is created');
    }
    if (problems.length === before) {
      out.push({ line: r.line, name, cpuMilli: cpuMilli!, memoryMib: memoryMib!, numGpu: numGpu!, gpuMilli: gpuMilli!, gpuSpec, qos: c.text(r, 'qos'), phase: c.text(r, 'pod_phase'), created: created!, deleted, scheduled });
    }
  }
  if (csv.rows.length === 0 && problems.length === 0) problems.push({ file: displayPath(file), line: 1, column: 1, path: '', message: 'has no pods', hint: 'one row per pod under the header' });
  // The sampled lists (openb_pod_list_cpu050.csv, ...) are not in creation order; a pod trace is.
  return out.sort((a, b) => a.created - b.created || a.line - b.line);
}

/** Node pools: one per identical (cpu, memory, GPUs, model), in order of first appearance. */
export function nodePools(nodes: readonly AlibabaNode[]): NodePoolPlan[] {
  const byKey = new Map<string, NodePoolPlan>();
  for (const n of nodes) {
    const key = `${n.cpuMilli}/${n.memoryMib}/${n.gpus}/${n.model}`;
    const p = byKey.get(key);
    if (p) p.count++;
    else byKey.set(key, { name: '', cpuMilli: n.cpuMilli, memoryMib: n.memoryMib, gpus: n.gpus, model: n.model, count: 1 });
  }
  const pools = [...byKey.values()];
  const taken = new Set<string>();
  for (const p of pools) {
    const base = `${p.gpus > 0 ? `${p.model.toLowerCase()}x${p.gpus}` : 'cpu'}-${trim(p.cpuMilli / 1000)}c-${trim(p.memoryMib / 1024)}g`.replace(/[^a-z0-9-]/g, '-');
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
    taken.add(name);
    p.name = name;
  }
  return pools;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace('.', 'p');
}

function podRow(p: AlibabaPod): string {
  const gpu = p.numGpu > 0 && p.gpuMilli >= 1000 ? String(p.numGpu) : '';
  const milli = p.numGpu === 1 && p.gpuMilli < 1000 ? String(p.gpuMilli) : '';
  const affinity = p.gpuSpec.length > 0 ? `"${GPU_MODEL_LABEL} in (${p.gpuSpec.join(',')})"` : '';
  const cpu = `${p.cpuMilli}m`;
  const mem = `${p.memoryMib}Mi`;
  return [p.name, 'default', p.created, p.deleted ?? '', p.scheduled ?? '', cpu, mem, gpu, milli, cpu, mem, gpu, milli, affinity].join(',');
}

const TRACE_HEADER = `name,namespace,created,deleted,scheduled,requests.cpu,requests.memory,requests.${GPU_RESOURCE},requests.${GPU_MILLI_RESOURCE},limits.cpu,limits.memory,limits.${GPU_RESOURCE},limits.${GPU_MILLI_RESOURCE},node_affinity`;

export interface AlibabaImportOptions {
  /** The trace's directory (its csv/ folder): NODE_FILE and the pod list are read from it. */
  traceDir: string;
  outDir: string;
  /** The pod list: a path, or a file name in traceDir; DEFAULT_POD_FILE when absent. */
  pods?: string;
  /** Submit the pods one a second in creation order and never delete them (the trace's simulator
   *  replays it so, filling the cluster), instead of at the trace's times. */
  sequential?: boolean;
  force?: boolean;
  signal?: AbortSignal;
  onNote?: (message: string) => void;
}

export async function importAlibabaGpu(options: AlibabaImportOptions): Promise<AlibabaImport> {
  const problems: Problem[] = [];
  const nodeFile = path.join(options.traceDir, NODE_FILE);
  const podArg = options.pods ?? DEFAULT_POD_FILE;
  const podFile = fs.existsSync(podArg) || podArg.includes(path.sep) ? path.resolve(podArg) : path.join(options.traceDir, podArg);
  const nodes = readNodes(nodeFile, problems);
  const pods = readPods(podFile, problems);
  if (problems.length > 0) {
    const shown = problems.slice(0, SHOWN);
    if (problems.length > SHOWN) shown.push({ file: displayPath(podFile), line: 0, column: 0, path: '', message: `and ${problems.length - SHOWN} more problems` });
    throw new InputError(shown);
  }
  const pools = nodePools(nodes);
  const models = new Set(nodes.filter((n) => n.gpus > 0).map((n) => n.model));
  const timed = options.sequential ? pods.map((p, i) => ({ ...p, created: i, deleted: null, scheduled: null })) : pods;
  const lastSecond = Math.max(...timed.map((p) => Math.max(p.created, p.deleted ?? 0, p.scheduled ?? 0)));
  const durationSeconds = Math.max(3600, Math.ceil((lastSecond + 1) / 3600) * 3600);
  const result: AlibabaImport = {
    dir: '',
    nodes: nodes.length,
    pools,
    pods: pods.length,
    cpuOnly: pods.filter((p) => p.numGpu === 0).length,
    wholeGpu: pods.filter((p) => p.numGpu > 0 && p.gpuMilli >= 1000).length,
    shared: pods.filter((p) => p.numGpu === 1 && p.gpuMilli < 1000).length,
    withModel: pods.filter((p) => p.gpuSpec.length > 0).length,
    unscheduled: pods.filter((p) => p.scheduled === null).length,
    unknownModel: pods.filter((p) => p.gpuSpec.length > 0 && !p.gpuSpec.some((m) => models.has(m))).length,
    durationSeconds,
    ...peaks(timed),
    sequential: options.sequential ?? false,
    totalGpus: nodes.reduce((sum, n) => sum + n.gpus, 0),
    byQos: countBy(pods, (p) => p.qos || '(empty)'),
    byPhase: countBy(pods, (p) => p.phase || '(empty)'),
  };
  const name = scenarioNameOf(options.outDir);
  const sources = { nodes: displayPath(nodeFile), pods: displayPath(podFile) };
  const files = new Map<string, string>([
    ['scenario.yaml', scenarioYaml(name, pools, durationSeconds, sources, options.sequential ? '1m' : '10m')],
    [TRACE_FILE, [TRACE_HEADER, ...timed.map(podRow)].join('\n') + '\n'],
    [REPORT_FILE, report(result, sources)],
  ]);
  result.dir = await writeScenarioDirectory(options.outDir, files, { force: options.force ?? false, signal: options.signal, onNote: options.onNote });
  return result;
}

/** The most pods alive at once (created, not yet deleted) and the most GPU milli they held. */
function peaks(pods: readonly AlibabaPod[]): { peakPods: number; peakGpuMilli: number } {
  const changes: [number, number, number][] = [];
  for (const p of pods) {
    const milli = p.numGpu * p.gpuMilli;
    changes.push([p.created, 1, milli]);
    if (p.deleted !== null) changes.push([p.deleted, -1, -milli]);
  }
  changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let alive = 0;
  let milli = 0;
  let peakPods = 0;
  let peakGpuMilli = 0;
  for (const [, d, m] of changes) {
    alive += d;
    milli += m;
    peakPods = Math.max(peakPods, alive);
    peakGpuMilli = Math.max(peakGpuMilli, milli);
  }
  return { peakPods, peakGpuMilli };
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of items) out.set(key(t), (out.get(key(t)) ?? 0) + 1);
  return out;
}

function quantityOf(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function scenarioYaml(name: string, pools: readonly NodePoolPlan[], durationSeconds: number, sources: { nodes: string; pods: string }, sampleEvery: string): string {
  const lines = [
    `# Alibaba's GPU cluster trace 2023 (alibaba/clusterdata cluster-trace-gpu-v2023), replayed by`,
    `# capsim import alibaba-gpu-2023 from ${sources.nodes} and ${sources.pods}.`,
    `# ${pools.reduce((s, p) => s + p.count, 0)} nodes in ${pools.length} fixed pools (no autoscaler, prices 0: set a pool's price for cost),`,
    `# the pods in ${TRACE_FILE} created and deleted at the trace's times; import-report.md says what was mapped how.`,
    'apiVersion: capsim/v1',
    'kind: Scenario',
    'metadata:',
    `  name: ${name}`,
    `  description: "Alibaba GPU trace 2023 replayed: ${pools.reduce((s, p) => s + p.count, 0)} nodes, the pod list's creation and deletion times"`,
    'spec:',
    '  seed: 1',
    `  start: "${TRACE_START}"`,
    `  duration: ${durationSeconds / 3600}h`,
    `  sampleEvery: ${sampleEvery}`,
    '  cluster:',
    '    nodePools:',
  ];
  for (const p of pools) {
    lines.push(`      - name: ${p.name}`);
    const gpu = p.gpus > 0 ? `, ${GPU_RESOURCE}: "${p.gpus}"` : '';
    lines.push(`        capacity: {cpu: "${quantityOf(p.cpuMilli)}", memory: ${p.memoryMib}Mi, pods: "${NODE_PODS}"${gpu}}`);
    lines.push(`        count: ${p.count}`);
    lines.push('        price: {onDemandPerHour: 0}  # the trace has no prices: set this pool\'s for cost figures');
    if (p.gpus > 0) lines.push(`        labels: {${GPU_MODEL_LABEL}: ${p.model}}`);
  }
  lines.push('  traces:', `    - file: ${TRACE_FILE}`);
  return lines.join('\n') + '\n';
}

function report(r: AlibabaImport, sources: { nodes: string; pods: string }): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const list = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${n(v)}`).join(', ');
  const out = [
    '# Import report: Alibaba GPU trace 2023',
    '',
    `Written by \`capsim import alibaba-gpu-2023\` from \`${sources.nodes}\` and \`${sources.pods}\`.`,
    '',
    '## What was imported',
    '',
    `- **${n(r.nodes)} nodes** in **${r.pools.length} node pools**, one per identical (CPU, memory, GPUs, GPU model), each with its fixed count: no autoscaler, and **a price of 0** (the trace has none; set each pool's \`price: {onDemandPerHour: ...}\` for cost figures: the run's cost is $0 until then). GPU nodes carry the label \`${GPU_MODEL_LABEL}\` with the trace's model and no taint, and every node holds up to ${NODE_PODS} pods, as the trace's own node YAML (cluster-trace-gpu-v2023/node_yaml) declares them.`,
    `- **${n(r.pods)} pods** in \`${TRACE_FILE}\` (spec.traces), created at \`creation_time\` and deleted at \`deletion_time\` (seconds from the trace's 0; spec.start is the arbitrary ${TRACE_START}), the run lasting to the last of them (${n(r.durationSeconds / 3600)} h): ${n(r.cpuOnly)} CPU only, ${n(r.wholeGpu)} asking whole GPUs (\`${GPU_RESOURCE}\`), ${n(r.shared)} a share of one GPU (\`${GPU_MILLI_RESOURCE}\`, gpu_milli < 1000), ${n(r.withModel)} a GPU model (gpu_spec, as required node affinity on \`${GPU_MODEL_LABEL}\`).`,
    `- Requests are the trace's cpu_milli and memory_mib, **limits equal to requests** as the trace's pod_csv_to_yaml.py writes them, so every pod is Guaranteed. The trace's \`qos\` (${list(r.byQos)}) is **not mapped** to a priority, as the trace's simulator ignores it: every pod has priority 0 and nothing preempts.`,
    `- \`scheduled_time\` is kept as the trace's own scheduled time (pods.csv \`trace_scheduled_t\`) to compare with the replay's; ${n(r.unscheduled)} rows have none (the trace's Pending pods) and are replayed all the same. The trace's \`pod_phase\` (${list(r.byPhase)}) is not used: a pod runs until its deletion time.`,
  ];
  if (r.sequential) {
    // --sequential: the times above do not apply.
    out[out.length - 3] = `- **${n(r.pods)} pods** in \`${TRACE_FILE}\` (spec.traces), **submitted one a second in the trace's creation order and never deleted** (--sequential), as the trace's simulator replays it: the cluster fills up; the run lasts ${n(r.durationSeconds / 3600)} h. Pods that find no room stay pending (summary.json \`traces.neverScheduled\`), and gpu.csv shows the allocation and fragmentation they leave.`;
    out[out.length - 1] = `- The trace's \`scheduled_time\` is left out: with its times replaced there is nothing to compare. The trace's \`pod_phase\` (${list(r.byPhase)}) is not used.`;
  }
  const pct = r.totalGpus > 0 ? (100 * r.peakGpuMilli) / (1000 * r.totalGpus) : 0;
  if (!r.sequential) out.push(`- **Load**: at the trace's times at most ${n(r.peakPods)} pods are alive at once, holding at most ${n(r.peakGpuMilli / 1000)} GPUs' worth (${pct.toFixed(2)} % of the nodes' ${n(r.totalGpus)} GPUs): the timed replay loads the cluster lightly (--sequential fills it as the trace's simulator does), and its queueing delays are near zero. The fragmentation figures of the "Beware of Fragmentation" paper do not come from these times: the trace's YAML writer leaves creation and deletion times out (pod_csv_to_yaml.py comments them out), and its simulator submits the pods one after another without deleting them.`);
  if (r.unknownModel > 0) out.push(`- ${n(r.unknownModel)} pods ask for a GPU model no node has: they are replayed and stay pending.`);
  out.push(
    '',
    '## Node pools',
    '',
    '| Pool | Nodes | CPU | Memory | GPUs | Model |',
    '|---|---|---|---|---|---|',
    ...r.pools.map((p) => `| ${p.name} | ${n(p.count)} | ${p.cpuMilli / 1000} | ${n(p.memoryMib)} MiB | ${p.gpus} | ${p.model || '—'} |`),
    '',
    '## What the replay does not model',
    '',
    '- Nothing was dropped: every node and every pod row is in the scenario.',
    '- The pods\' usage: the trace gives requests only; capacity figures are by requests, as the trace\'s simulator computes them.',
    '- Placement is kube-scheduler\'s default profile with the GpuShare filter (docs/scenario.md "GPUs, whole and shared"), not the trace\'s FGD scheduler: the replay\'s scheduled times differ from the trace\'s by design (summary.json `traces`, pods.csv).',
    '',
  );
  return out.join('\n');
}
