// `capsim sweep ... --emit k8s-job DIR` (DESIGN §5, issue 7 item 6): the same sweep as a
// Kubernetes Indexed Job, for studies too big for one machine. Completion index i runs
// `capsim sweep ... --shard i/N --out /results/shard-i` (the runs whose index is i modulo N), and
// `capsim sweep --merge` joins the shard directories into what one machine would have written.
//
// Four files: configmap.yaml (the scenario and every file it reads), job.yaml (the Indexed Job,
// with the commands to run it and fetch the results in its header), pvc.yaml (the volume the
// shards write to) and fetch-pod.yaml (a pod that mounts that volume for `kubectl cp`).
// Same plan and options, same bytes: nothing here reads the clock or the output directory.
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { InputError, type Problem } from '../scenario/errors.ts';
import { displayPath } from '../scenario/paths.ts';
import { messageAndHint } from '../scenario/fields.ts';
import { parseBytes, parseCpuMilli, QuantityError, quantityHint, type QuantityField } from '../quantity.ts';
import { VERSION } from '../version.ts';
import type { SweepPlan } from './plan.ts';

export interface EmitOptions {
  /** Where the manifests are written (created if missing). */
  dir: string;
  /** Job completions, one shard each. Default: min(runs, DEFAULT_MAX_SHARDS). */
  shards?: number;
  /** Pods running at once. Default: min(shards, DEFAULT_MAX_PARALLELISM). */
  parallelism?: number;
  /** Default: capsim:<VERSION>, built from the Dockerfile (there is no published image). */
  image?: string;
  /** Each pod's CPU request (no CPU limit), default "2". */
  cpu?: string;
  /** Each pod's memory request and limit, default "2Gi". */
  memory?: string;
  /** --parallel inside each pod. Default: the CPU request in whole cores, at least 1. */
  workersPerPod?: number;
  /** The results volume's claim. Default: capsim-results (shared by studies: each writes its own directory). */
  pvc?: string;
  /** The Job's name. Default: capsim-sweep-<scenario name>, made a DNS-1123 label. */
  name?: string;
  namespace?: string;
  /** Study flags passed through to every shard: --objective, --constraint, --keep-all. */
  objective?: string;
  constraints?: string[];
  keepAll?: boolean;
  /** --allow-large, passed through too: a shard checks the sizes again before it runs. */
  allowLarge?: boolean;
}

/** 20 shards: each pod's start (image pull, node start-up) stays small against its share
 *  of a study of hundreds of runs, and a shard that has to be retried redoes a twentieth of it. */
export const DEFAULT_MAX_SHARDS = 20;
/** Ten pods at a time: a fair share of a shared cluster; raise it on a cluster of your own. */
export const DEFAULT_MAX_PARALLELISM = 10;
export const DEFAULT_CPU = '2';
export const DEFAULT_MEMORY = '2Gi';
export const DEFAULT_PVC = 'capsim-results';
const RESULTS_SIZE = '1Gi';
/** ValidateConfigMap: the keys and values together at most 1 MiB (core.MaxSecretSize). */
const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;
/** Upstream's limit on completions for Indexed Jobs (pkg/apis/batch/validation). */
const MAX_INDEXED_COMPLETIONS = 100_000;
/** The image's user (Dockerfile: USER 1000:1000, the `node` user of node:20-slim). */
const USER_ID = 1000;

const SCENARIO_MOUNT = '/scenario';
const RESULTS_MOUNT = '/results';
const INDEX = '$(JOB_COMPLETION_INDEX)';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Everything the manifests need, defaults filled in and checked. */
interface JobSettings {
  name: string;
  namespace: string | null;
  configMap: string;
  fetchPod: string;
  shards: number;
  parallelism: number;
  image: string;
  cpu: string;
  memory: string;
  workersPerPod: number;
  pvc: string;
  objective: string | null;
  constraints: string[];
  keepAll: boolean;
  allowLarge: boolean;
}

/** One scenario input as the pods see it: its ConfigMap key and its path under /scenario. */
interface MountedFile {
  key: string;
  relativePath: string;
  text: string;
  bytes: number;
}

/** Writes configmap.yaml, job.yaml, pvc.yaml and fetch-pod.yaml into options.dir and returns
 *  their paths. Throws InputError (exit 2) for an option out of range, a scenario that reads a
 *  file outside its own directory, or inputs too big for a ConfigMap. */
export async function emitKubernetesJob(plan: SweepPlan, options: EmitOptions): Promise<string[]> {
  const settings = jobSettings(plan, options);
  const files = await mountedFiles(plan);
  const manifests: [string, string][] = [
    ['configmap.yaml', configMapYaml(plan, settings, files)],
    ['job.yaml', jobYaml(plan, settings, files)],
    ['pvc.yaml', pvcYaml(plan, settings)],
    ['fetch-pod.yaml', fetchPodYaml(plan, settings)],
  ];
  await fs.mkdir(options.dir, { recursive: true });
  const written: string[] = [];
  for (const [file, text] of manifests) {
    const target = path.join(options.dir, file);
    await fs.writeFile(target, text);
    written.push(target);
  }
  return written;
}

// --- Options ----------------------------------------------------------------------------------

function optionProblem(flag: string, message: string, hint?: string): Problem {
  return { file: flag, line: 0, column: 0, path: '', message, hint };
}

function jobSettings(plan: SweepPlan, options: EmitOptions): JobSettings {
  const problems: Problem[] = [];
  const runs = plan.runs.length;
  const wholeNumber = (flag: string, value: number, max?: { value: number; why: string }): void => {
    if (!Number.isInteger(value) || value < 1) problems.push(optionProblem(flag, `must be a whole number of at least 1, not ${value}`));
    else if (max && value > max.value) problems.push(optionProblem(flag, `${value} is more than ${max.why}`));
  };

  const shards = options.shards ?? Math.min(runs, DEFAULT_MAX_SHARDS);
  wholeNumber('--shards', shards, runs <= MAX_INDEXED_COMPLETIONS
    ? { value: runs, why: `the sweep's ${runs} runs: a shard would have none` }
    : { value: MAX_INDEXED_COMPLETIONS, why: `the ${MAX_INDEXED_COMPLETIONS} completions an Indexed Job may have` });
  // Checked against shards only when that is itself valid, so one wrong number is one problem.
  const parallelism = options.parallelism ?? Math.max(1, Math.min(shards, DEFAULT_MAX_PARALLELISM));
  wholeNumber('--job-parallelism', parallelism, shards >= 1 ? { value: shards, why: `the ${shards} shards: no more pods than that can run at once` } : undefined);

  const cpu = options.cpu ?? DEFAULT_CPU;
  const memory = options.memory ?? DEFAULT_MEMORY;
  const cpuMilli = quantityOf('--cpu', cpu, parseCpuMilli, problems, 'cpu');
  quantityOf('--memory', memory, parseBytes, problems, 'bytes');
  const workersPerPod = options.workersPerPod ?? Math.max(1, Math.floor(cpuMilli / 1000));
  wholeNumber('--parallel', workersPerPod);

  const name = options.name ?? dnsLabel(`capsim-sweep-${plan.scenarioName}`);
  if (!DNS_LABEL.test(name) || name.length > 63) {
    problems.push(optionProblem('--name', `"${name}" is not a valid Job name`, 'at most 63 characters: lower-case letters, digits and "-", starting and ending with a letter or digit'));
  }
  const namespace = options.namespace ?? null;
  if (namespace !== null && (!DNS_LABEL.test(namespace) || namespace.length > 63)) {
    problems.push(optionProblem('--namespace', `"${namespace}" is not a valid namespace name`, 'at most 63 characters: lower-case letters, digits and "-"'));
  }
  const pvc = options.pvc ?? DEFAULT_PVC;
  if (!DNS_SUBDOMAIN.test(pvc) || pvc.length > 253) {
    problems.push(optionProblem('--pvc', `"${pvc}" is not a valid PersistentVolumeClaim name`, 'lower-case letters, digits, "-" and "."'));
  }
  const image = options.image ?? `capsim:${VERSION}`;
  if (image === '' || /\s/.test(image)) problems.push(optionProblem('--image', `"${image}" is not an image reference`, `for example registry.example.com/capsim:${VERSION}`));
  if (problems.length > 0) throw new InputError(problems);

  return {
    name,
    namespace,
    configMap: `${name}-scenario`,
    fetchPod: `${name}-fetch`,
    shards,
    parallelism,
    image,
    cpu,
    memory,
    workersPerPod,
    pvc,
    objective: options.objective ?? null,
    constraints: options.constraints ?? [],
    keepAll: options.keepAll ?? false,
    allowLarge: options.allowLarge ?? false,
  };
}

function quantityOf(flag: string, text: string, parse: (text: string) => number, problems: Problem[], field: QuantityField): number {
  try {
    const amount = parse(text);
    if (amount <= 0) problems.push(optionProblem(flag, `must be more than 0, not ${text}`));
    return amount;
  } catch (error) {
    if (!(error instanceof QuantityError)) throw error;
    // The hint fitted to the flag: --cpu 2GB gets 2m or 2, not 2G or 2Gi.
    const { message, hint } = messageAndHint(error);
    problems.push(optionProblem(flag, message, quantityHint(text, field) ?? hint));
    return 0;
  }
}

/** Lower-case, every run of other characters as one "-", at most 63 characters, starting and
 *  ending with a letter or digit: "capsim-sweep-My_Shop v2" -> "capsim-sweep-my-shop-v2". */
export function dnsLabel(text: string): string {
  const label = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
  return label === '' ? 'capsim-sweep' : label;
}

// --- The scenario's files ---------------------------------------------------------------------

/** ConfigMap keys allow only letters, digits, "-", "_" and "." ([-._a-zA-Z0-9]+), so a file's
 *  key is its path relative to the scenario's directory with each "/" written as "__" and any
 *  other character outside that set as "_": quickstart/namespaces.yaml -> quickstart__namespaces.yaml.
 *  The Job's volume items map each key back to the path. */
export function configMapKey(relativePath: string): string {
  return relativePath.split('/').join('__').replace(/[^-._a-zA-Z0-9]/g, '_');
}

/** Every input file with its key, in the plan's order (scenario first). The pods see only the
 *  scenario's directory, so a file outside it is refused, by its path and by where it really is:
 *  a symbolic link inside the directory to a file outside it (~/.aws/credentials, /etc/passwd)
 *  would otherwise be copied into the ConfigMap and so onto the cluster. A run on this machine
 *  follows such links (it reads what the user points at and sends it nowhere); this does not.
 *  Also refused: two files that map to one key, and a file that is not UTF-8 text. */
async function mountedFiles(plan: SweepPlan): Promise<MountedFile[]> {
  const scenarioDir = path.dirname(plan.inputFiles[0]);
  const problems: Problem[] = [];
  const outside = (file: string, message: string): void => {
    problems.push({
      file: displayPath(plan.inputFiles[0]),
      line: 0,
      column: 0,
      path: '',
      message: `${message}; the Job's pods see only that directory, and a file outside it is not copied to the cluster`,
      hint: `copy ${path.basename(file)} beside the scenario (into ${displayPath(scenarioDir)} or below it) and refer to it from there`,
    });
  };
  const realDir = await realPath(scenarioDir);
  const files: MountedFile[] = [];
  const byKey = new Map<string, string>();
  for (const file of plan.inputFiles) {
    const relative = path.relative(scenarioDir, file);
    if (isOutside(relative)) {
      outside(file, `reads ${displayPath(file)}, outside the scenario's directory (${displayPath(scenarioDir)})`);
      continue;
    }
    const real = await realPath(file);
    if (isOutside(path.relative(realDir, real))) {
      outside(file, `reads ${displayPath(file)}, a symbolic link (or under one) to ${displayPath(real)}, outside the scenario's directory (${displayPath(realDir)})`);
      continue;
    }
    const relativePath = relative.split(path.sep).join('/');
    const key = configMapKey(relativePath);
    const clash = byKey.get(key);
    if (clash !== undefined) {
      problems.push({ file: displayPath(file), line: 0, column: 0, path: '', message: `has the same ConfigMap key (${key}) as ${clash}`, hint: 'rename one of them: keys write "/" as "__" and other characters outside [-._a-zA-Z0-9] as "_"' });
      continue;
    }
    byKey.set(key, relativePath);
    let content: Buffer;
    try {
      content = await fs.readFile(file);
    } catch (error) {
      problems.push({ file: displayPath(file), line: 0, column: 0, path: '', message: `cannot read it: ${(error as Error).message}` });
      continue;
    }
    const text = content.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(content)) {
      problems.push({ file: displayPath(file), line: 0, column: 0, path: '', message: 'is not UTF-8 text, which a ConfigMap\'s data must be', hint: 'save it as UTF-8' });
      continue;
    }
    files.push({ key, relativePath, text, bytes: content.length + Buffer.byteLength(key) });
  }
  if (problems.length > 0) throw new InputError(problems);

  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  if (total > CONFIGMAP_LIMIT_BYTES) {
    const largest = [...files].sort((a, b) => b.bytes - a.bytes || a.key.localeCompare(b.key)).slice(0, 3);
    throw new InputError([{
      file: displayPath(plan.inputFiles[0]),
      line: 0,
      column: 0,
      path: '',
      message: `the scenario's files add up to ${kib(total)}, more than a ConfigMap holds (1 MiB)`,
      hint: `the largest: ${largest.map((f) => `${f.relativePath} (${kib(f.bytes)})`).join(', ')}; shorten the traces or sample them more coarsely`,
    }]);
  }
  return files;
}

/** A path relative to a directory that leaves it. */
function isOutside(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
}

/** Where a path really is, every symbolic link resolved; the path itself if it cannot be
 *  resolved (the file is then reported as unreadable when it is read). */
async function realPath(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return path.resolve(file);
  }
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

// --- The pods' command ------------------------------------------------------------------------

/** Kubernetes expands $(VAR) in args from the container's env and turns "$$" into "$", so every
 *  "$" the user wrote is doubled to reach capsim as written. */
function literal(text: string): string {
  return text.replaceAll('$', '$$$$');
}

/** The container's args: the planned sweep, read from /scenario, this pod's shard, into its
 *  directory of the results volume. */
export function shardArgs(plan: SweepPlan, settings: Pick<JobSettings, 'shards' | 'workersPerPod' | 'objective' | 'constraints' | 'keepAll'> & { allowLarge?: boolean }): string[] {
  return [
    'sweep',
    `${SCENARIO_MOUNT}/${literal(path.basename(plan.inputFiles[0]))}`,
    ...plan.sets.flatMap((set) => ['--set', literal(set)]),
    ...plan.varies.flatMap((v) => ['--vary', literal(`${v.path}=${v.values.join(',')}`)]),
    '--seeds', String(plan.seeds),
    '--parallel', String(settings.workersPerPod),
    '--shard', `${INDEX}/${settings.shards}`,
    '--out', `${RESULTS_MOUNT}/shard-${INDEX}`,
    ...(settings.objective !== null ? ['--objective', literal(settings.objective)] : []),
    ...settings.constraints.flatMap((c) => ['--constraint', literal(c)]),
    ...(settings.keepAll ? ['--keep-all'] : []),
    ...(settings.allowLarge ? ['--allow-large'] : []),
  ];
}

/** The sweep as one would type it, for the files' header comments. */
function sweepCommand(plan: SweepPlan): string {
  const quote = (s: string) => (/^[-\w./:=,@+%]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);
  const flags = [...plan.sets.flatMap((s) => ['--set', s]), ...plan.varies.flatMap((v) => ['--vary', `${v.path}=${v.values.join(',')}`]), '--seeds', String(plan.seeds)];
  return ['capsim', 'sweep', plan.scenarioFile, ...flags].map(quote).join(' ');
}

// --- Manifests --------------------------------------------------------------------------------

function labels(settings: JobSettings): Record<string, string> {
  return { 'app.kubernetes.io/name': 'capsim', 'app.kubernetes.io/instance': settings.name };
}

function metadata(name: string, settings: JobSettings): Record<string, unknown> {
  return { name, ...(settings.namespace !== null ? { namespace: settings.namespace } : {}), labels: labels(settings) };
}

function header(what: string, plan: SweepPlan): string {
  return `${what}\nWritten by capsim ${VERSION} (--emit k8s-job) for:\n  ${sweepCommand(plan)}`;
}

/** Comments attached to keys: [path to the key, text]. */
type Notes = [(string | number)[], string][];

function toYaml(object: unknown, headerText: string, notes: Notes = []): string {
  const doc = new YAML.Document(object);
  doc.commentBefore = ` ${headerText.split('\n').join('\n ')}`;
  for (const [at, text] of notes) {
    const parent = at.length === 1 ? doc.contents : doc.getIn(at.slice(0, -1), true);
    if (!YAML.isMap(parent)) throw new Error(`no map at ${at.slice(0, -1).join('.')}`);
    const pair = parent.items.find((p) => YAML.isScalar(p.key) && p.key.value === at[at.length - 1]);
    if (!pair || !YAML.isScalar(pair.key)) throw new Error(`no key ${at.join('.')}`);
    pair.key.commentBefore = ` ${text.split('\n').join('\n ')}`;
  }
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}

function configMapYaml(plan: SweepPlan, settings: JobSettings, files: MountedFile[]): string {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(settings.configMap, settings),
    data: Object.fromEntries(files.map((f) => [f.key, f.text])),
  };
  return toYaml(configMap, header(
    `The scenario ${plan.scenarioName} and every file it reads, for the pods of job.yaml (mounted at ${SCENARIO_MOUNT}).\n` +
    'A key is the file\'s path relative to the scenario\'s directory with "/" written as "__" (ConfigMap\n' +
    'keys allow only letters, digits, "-", "_" and "."); job.yaml\'s volume items put each file back at its path.',
    plan,
  ));
}

function podSecurityContext(): Record<string, unknown> {
  return {
    runAsNonRoot: true,
    runAsUser: USER_ID,
    runAsGroup: USER_ID,
    fsGroup: USER_ID,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

const CONTAINER_SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

function jobYaml(plan: SweepPlan, settings: JobSettings, files: MountedFile[]): string {
  const kubectl = settings.namespace !== null ? `kubectl -n ${settings.namespace}` : 'kubectl';
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(settings.name, settings),
    spec: {
      completionMode: 'Indexed',
      completions: settings.shards,
      parallelism: settings.parallelism,
      backoffLimitPerIndex: 1,
      podReplacementPolicy: 'Failed',
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'capsim', operator: 'In', values: [2] } },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        ],
      },
      template: {
        metadata: { labels: labels(settings) },
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurityContext(),
          containers: [{
            name: 'capsim',
            image: settings.image,
            args: shardArgs(plan, settings),
            env: [
              { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
              { name: 'HOME', value: '/tmp' },
            ],
            resources: { requests: { cpu: settings.cpu, memory: settings.memory }, limits: { memory: settings.memory } },
            securityContext: CONTAINER_SECURITY,
            volumeMounts: [
              { name: 'scenario', mountPath: SCENARIO_MOUNT, readOnly: true },
              { name: 'results', mountPath: RESULTS_MOUNT, subPath: settings.name },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'scenario', configMap: { name: settings.configMap, items: files.map((f) => ({ key: f.key, path: f.relativePath })) } },
            { name: 'results', persistentVolumeClaim: { claimName: settings.pvc } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
  const runs = plan.runs.length;
  const headerText = header(
    `capsim sweep of ${plan.scenarioName} as an Indexed Job: ${runs} runs (${plan.configs.length} configurations x ${plan.seeds} seeds)\n` +
    `in ${settings.shards} shards, ${settings.parallelism} pods at a time; shard i runs the runs whose index modulo ${settings.shards} is i.`,
    plan,
  ) + `

Build the image from capsim's Dockerfile and push it where the cluster pulls from (README
"Studies on a cluster"). Then, in this directory:
  kubectl apply -f pvc.yaml -f configmap.yaml -f job.yaml
  ${kubectl} wait --for=condition=complete --timeout=24h job/${settings.name}
Progress: ${kubectl} get job ${settings.name}; the shards' logs: ${kubectl} logs -l batch.kubernetes.io/job-name=${settings.name} --prefix.
A shard that failed twice is listed in the Job's status.failedIndexes and the Job ends Failed:
${kubectl} delete job ${settings.name}, then apply job.yaml again; finished runs are skipped.
Copy the results back (${settings.pvc}:${settings.name}/shard-<index>) and merge them:
  ${kubectl} apply -f fetch-pod.yaml
  ${kubectl} wait --for=condition=ready pod/${settings.fetchPod}
  ${kubectl} cp ${settings.fetchPod}:${RESULTS_MOUNT}/${settings.name} ${settings.name}
  ${kubectl} delete -f fetch-pod.yaml
  capsim sweep --merge ${settings.name}/shard-* --out reports/${plan.scenarioName}-sweep`;
  const container = ['spec', 'template', 'spec', 'containers', 0];
  return toYaml(job, headerText, [
    [['spec', 'backoffLimitPerIndex'],
      'One retry per shard, counted per index so one failing shard does not use up the others\' retries\n' +
      '(GA in Kubernetes 1.33, beta and on by default since 1.29). A retried shard resumes: the runs\n' +
      'already in its results directory are skipped.'],
    [['spec', 'podReplacementPolicy'], 'A replacement pod starts only once the old one has stopped, so two pods never write one shard\'s directory.'],
    [['spec', 'podFailurePolicy'],
      'Exit code 2 is invalid input (the scenario or a flag), the same for every shard: fail the Job at once.\n' +
      'A pod stopped by preemption, eviction or a node drain (DisruptionTarget) is retried without counting.'],
    [[...container, 'env'],
      'The Job controller sets JOB_COMPLETION_INDEX in Indexed Job pods itself; it is defined here from the\n' +
      'same annotation so that $(JOB_COMPLETION_INDEX) in args (expanded from the container\'s env) does\n' +
      'not depend on that. HOME goes to the writable /tmp, where the sweep also writes its scratch files.'],
    [[...container, 'resources'],
      'Memory limit = request: the pod never uses memory the scheduler did not reserve for it.\n' +
      'No CPU limit: a limit throttles the pod to its quota even while the node has idle cores, and the\n' +
      'simulation is CPU-bound; the request reserves the cores for the --parallel workers.'],
    [[...container, 'volumeMounts'], `Each study writes to its own directory of the volume: ${settings.name}/shard-<index>.`],
    [['spec', 'template', 'spec', 'volumes'], 'The items put each file back at its path relative to the scenario, so its manifest globs resolve as on your machine.'],
    [['spec', 'template', 'spec', 'securityContext'], `The restricted Pod Security Standard; uid ${USER_ID} is the image's user (Dockerfile).`],
  ]);
}

function pvcYaml(plan: SweepPlan, settings: JobSettings): string {
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: settings.pvc, ...(settings.namespace !== null ? { namespace: settings.namespace } : {}), labels: { 'app.kubernetes.io/name': 'capsim' } },
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: RESULTS_SIZE } },
    },
  };
  return toYaml(pvc, header(
    `The volume the shards of job.yaml write their results to, each study in its own directory (${settings.name}/).\n` +
    'ReadWriteMany, so that pods on different nodes write at once: it needs a storage class that offers\n' +
    'it (NFS, CephFS, EFS, Azure Files, Filestore...); set spec.storageClassName if that is not the default.\n' +
    'Without one, use ReadWriteOnce and run one pod at a time (spec.parallelism: 1 in job.yaml).\n' +
    `${RESULTS_SIZE} holds the summaries and compact series of a few thousand runs; raise it for --keep-all.`,
    plan,
  ));
}

function fetchPodYaml(plan: SweepPlan, settings: JobSettings): string {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(settings.fetchPod, settings),
    spec: {
      restartPolicy: 'Never',
      securityContext: podSecurityContext(),
      containers: [{
        name: 'fetch',
        image: settings.image,
        command: ['sleep', '3600'],
        resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '64Mi' } },
        securityContext: CONTAINER_SECURITY,
        volumeMounts: [{ name: 'results', mountPath: RESULTS_MOUNT, readOnly: true }],
      }],
      volumes: [{ name: 'results', persistentVolumeClaim: { claimName: settings.pvc, readOnly: true } }],
    },
  };
  return toYaml(pod, header(
    `A pod that mounts the results volume (${settings.pvc}) for an hour, so that kubectl cp can copy the\n` +
    'shards back (the commands are in job.yaml\'s header). It runs the capsim image, which has sleep and tar.',
    plan,
  ));
}
