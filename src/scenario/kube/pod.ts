// core/v1 PodSpec, Container and PodTemplateSpec: every upstream field name is known (so a
// misspelling is caught), the ones capsim simulates are typed, and conversion fills upstream
// defaults (pkg/apis/core/v1/defaults.go).
import { GPU_MILLI_RESOURCE, GPU_RESOURCE, MILLI_PER_GPU } from '../../model/gpuDevices.ts';
import { z } from 'zod';
import type { Container, PodSpec, PodTemplate, RestartPolicy } from '../../model/pod.ts';
import type { HostPort } from '../../model/hostPorts.ts';
import type { ResourceMap } from '../../model/resources.ts';
import { anything, count, int32, quantity, resourceMap, stringMap } from '../fields.ts';
import { affinity, templateMeta, topologySpreadConstraint, toleration } from './meta.ts';
import { toResourceMap, type Convert } from './convert.ts';

// --- Container ----------------------------------------------------------------------------

const execAction = z.strictObject({ command: z.array(z.string()).optional() });
const httpHeader = z.strictObject({ name: z.string(), value: z.string() });
const port = z.union([z.number().int(), z.string()]);
const httpGetAction = z.strictObject({
  path: z.string().optional(),
  port,
  host: z.string().optional(),
  scheme: z.enum(['HTTP', 'HTTPS']).optional(),
  httpHeaders: z.array(httpHeader).optional(),
});
const tcpSocketAction = z.strictObject({ port, host: z.string().optional() });
const grpcAction = z.strictObject({ port: z.number().int(), service: z.string().optional() });

const probe = z.strictObject({
  exec: execAction.optional(),
  httpGet: httpGetAction.optional(),
  tcpSocket: tcpSocketAction.optional(),
  grpc: grpcAction.optional(),
  initialDelaySeconds: count.optional(),
  timeoutSeconds: z.number().int().min(1).optional(),
  periodSeconds: z.number().int().min(1).optional(),
  successThreshold: z.number().int().min(1).optional(),
  failureThreshold: z.number().int().min(1).optional(),
  terminationGracePeriodSeconds: z.number().int().min(1).optional(),
}).meta({ id: 'Probe', description: 'core/v1 Probe' });

const lifecycleHandler = z.strictObject({
  exec: execAction.optional(),
  httpGet: httpGetAction.optional(),
  tcpSocket: tcpSocketAction.optional(),
  sleep: z.strictObject({ seconds: count }).optional(),
});

const lifecycle = z.strictObject({
  postStart: lifecycleHandler.optional(),
  preStop: lifecycleHandler.optional(),
  stopSignal: z.string().optional(),
});

const containerPort = z.strictObject({
  containerPort: z.number().int().min(1).max(65535),
  hostPort: z.number().int().min(0).max(65535).optional().describe('Port claimed on the node: the scheduler (NodePorts) places at most one pod per node on a hostIP/protocol/hostPort; 0 or absent claims none (with hostNetwork, the containerPort)'),
  hostIP: z.string().optional().describe('Node address the hostPort binds; absent or 0.0.0.0 binds (and conflicts with) every address'),
  name: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional().describe('Default TCP'),
}).meta({ id: 'ContainerPort', description: 'core/v1 ContainerPort; only host ports matter to capsim' });

const keySelector = z.strictObject({ name: z.string().optional(), key: z.string(), optional: z.boolean().optional() });
const envVar = z.strictObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .strictObject({
      fieldRef: z.strictObject({ apiVersion: z.string().optional(), fieldPath: z.string() }).optional(),
      resourceFieldRef: z.strictObject({ containerName: z.string().optional(), resource: z.string(), divisor: quantity.optional() }).optional(),
      configMapKeyRef: keySelector.optional(),
      secretKeyRef: keySelector.optional(),
      fileKeyRef: anything.optional(),
    })
    .optional(),
});
const envFromSource = z.strictObject({
  prefix: z.string().optional(),
  configMapRef: z.strictObject({ name: z.string().optional(), optional: z.boolean().optional() }).optional(),
  secretRef: z.strictObject({ name: z.string().optional(), optional: z.boolean().optional() }).optional(),
});

const volumeMount = z.strictObject({
  name: z.string(),
  mountPath: z.string(),
  readOnly: z.boolean().optional(),
  recursiveReadOnly: z.string().optional(),
  subPath: z.string().optional(),
  subPathExpr: z.string().optional(),
  mountPropagation: z.string().optional(),
});

export const resourceRequirements = z.strictObject({
  limits: resourceMap().optional(),
  requests: resourceMap().optional(),
  claims: z.array(z.strictObject({ name: z.string(), request: z.string().optional() })).optional(),
}).meta({ id: 'ResourceRequirements', description: 'core/v1 ResourceRequirements: requests and limits by resource name (cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource such as nvidia.com/gpu)' });

const securityContext = z.strictObject({
  capabilities: anything.optional(),
  privileged: z.boolean().optional(),
  seLinuxOptions: anything.optional(),
  windowsOptions: anything.optional(),
  runAsUser: z.number().int().optional(),
  runAsGroup: z.number().int().optional(),
  runAsNonRoot: z.boolean().optional(),
  readOnlyRootFilesystem: z.boolean().optional(),
  allowPrivilegeEscalation: z.boolean().optional(),
  procMount: z.string().optional(),
  seccompProfile: anything.optional(),
  appArmorProfile: anything.optional(),
});

export const container = z.strictObject({
  name: z.string().min(1),
  image: z.string().optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  workingDir: z.string().optional(),
  ports: z.array(containerPort).optional(),
  envFrom: z.array(envFromSource).optional(),
  env: z.array(envVar).optional(),
  resources: resourceRequirements.optional(),
  resizePolicy: z.array(z.strictObject({ resourceName: z.string(), restartPolicy: z.string() })).optional(),
  restartPolicy: z.enum(['Always']).optional(),
  restartPolicyRules: z.array(anything).optional(),
  volumeMounts: z.array(volumeMount).optional(),
  volumeDevices: z.array(z.strictObject({ name: z.string(), devicePath: z.string() })).optional(),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  startupProbe: probe.optional(),
  lifecycle: lifecycle.optional(),
  terminationMessagePath: z.string().optional(),
  terminationMessagePolicy: z.enum(['File', 'FallbackToLogsOnError']).optional(),
  imagePullPolicy: z.enum(['Always', 'Never', 'IfNotPresent']).optional(),
  securityContext: securityContext.optional(),
  stdin: z.boolean().optional(),
  stdinOnce: z.boolean().optional(),
  tty: z.boolean().optional(),
}).meta({ id: 'Container', description: 'core/v1 Container (capsim reads name, resources, readinessProbe, restartPolicy and the host ports of ports; the other upstream fields are accepted)' });

// --- Volumes: every volume source name; only emptyDir and hostPath matter to capsim ----------

const OTHER_VOLUME_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

const volume = z.strictObject({
  name: z.string().min(1),
  emptyDir: z.strictObject({ medium: z.string().optional(), sizeLimit: quantity.optional() }).nullable().optional(),
  hostPath: z.strictObject({ path: z.string(), type: z.string().optional() }).optional(),
  ...Object.fromEntries(OTHER_VOLUME_SOURCES.map((name) => [name, anything.optional()])),
});

const podSecurityContext = z.strictObject({
  seLinuxOptions: anything.optional(),
  windowsOptions: anything.optional(),
  runAsUser: z.number().int().optional(),
  runAsGroup: z.number().int().optional(),
  runAsNonRoot: z.boolean().optional(),
  supplementalGroups: z.array(z.number().int()).optional(),
  supplementalGroupsPolicy: z.string().optional(),
  fsGroup: z.number().int().optional(),
  sysctls: z.array(z.strictObject({ name: z.string(), value: z.string() })).optional(),
  fsGroupChangePolicy: z.string().optional(),
  seccompProfile: anything.optional(),
  appArmorProfile: anything.optional(),
  seLinuxChangePolicy: z.string().optional(),
});

export const podSpec = z.strictObject({
  volumes: z.array(volume).optional(),
  initContainers: z.array(container).optional(),
  containers: z.array(container).min(1),
  ephemeralContainers: z.array(anything).optional(),
  restartPolicy: z.enum(['Always', 'OnFailure', 'Never']).optional(),
  terminationGracePeriodSeconds: count.optional(),
  activeDeadlineSeconds: z.number().int().min(1).optional(),
  dnsPolicy: z.enum(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']).optional(),
  nodeSelector: stringMap.optional(),
  serviceAccountName: z.string().optional(),
  serviceAccount: z.string().optional(),
  automountServiceAccountToken: z.boolean().optional(),
  nodeName: z.string().optional(),
  hostNetwork: z.boolean().optional().describe("The pod uses the node's network: every containerPort without a hostPort claims that port on the node"),
  hostPID: z.boolean().optional(),
  hostIPC: z.boolean().optional(),
  shareProcessNamespace: z.boolean().optional(),
  securityContext: podSecurityContext.optional(),
  imagePullSecrets: z.array(z.strictObject({ name: z.string().optional() })).optional(),
  hostname: z.string().optional(),
  subdomain: z.string().optional(),
  affinity: affinity.optional(),
  schedulerName: z.string().optional(),
  tolerations: z.array(toleration).optional(),
  hostAliases: z.array(z.strictObject({ ip: z.string(), hostnames: z.array(z.string()).optional() })).optional(),
  priorityClassName: z.string().optional(),
  priority: int32.optional(),
  dnsConfig: anything.optional(),
  readinessGates: z.array(z.strictObject({ conditionType: z.string() })).optional(),
  runtimeClassName: z.string().optional(),
  enableServiceLinks: z.boolean().optional(),
  preemptionPolicy: z.enum(['PreemptLowerPriority', 'Never']).optional(),
  overhead: resourceMap().optional(),
  topologySpreadConstraints: z.array(topologySpreadConstraint).optional(),
  setHostnameAsFQDN: z.boolean().optional(),
  os: z.strictObject({ name: z.enum(['linux', 'windows']) }).optional(),
  hostUsers: z.boolean().optional(),
  schedulingGates: z.array(z.strictObject({ name: z.string() })).optional(),
  resourceClaims: z.array(anything).optional(),
  resources: resourceRequirements.optional(),
  hostnameOverride: z.string().optional(),
});

export const podTemplateSpec = z.strictObject({
  metadata: templateMeta.optional(),
  spec: podSpec,
});

export type PodSpecInput = z.output<typeof podSpec>;
export type PodTemplateInput = z.output<typeof podTemplateSpec>;
type ContainerInput = z.output<typeof container>;
type ContainerPortInput = z.output<typeof containerPort>;

// --- Conversion ---------------------------------------------------------------------------

/** A resource outside the kubernetes.io domain with a domain prefix, e.g. nvidia.com/gpu. */
function isExtendedResource(name: string): boolean {
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
}

/** Container -> model: requests default to limits per resource (SetDefaults_Pod), quantities
 *  as integers (an explicit 0 is kept: the scheduler's non-zero defaults are for unset requests
 *  only), readiness delay from the readiness probe, host ports. */
function toContainer(c: ContainerInput, cv: Convert, path: (string | number)[], hostNetwork: boolean): Container {
  const limits = toResourceMap(c.resources?.limits, cv, [...path, 'resources', 'limits']);
  const requests: ResourceMap = toResourceMap(c.resources?.requests, cv, [...path, 'resources', 'requests']);
  for (const name of Object.keys(limits)) if (!(name in requests)) requests[name] = limits[name];
  const requestPath = (name: string) => [...path, 'resources', 'requests', name];
  for (const name of Object.keys(requests)) {
    const limit = c.resources?.limits?.[name];
    if (isExtendedResource(name)) {
      // Extended resources cannot be overcommitted (ValidateResourceRequirements).
      if (limit === undefined) cv.problem(requestPath(name), 'Limit must be set for non overcommitable resources', `add limits: {${name}: ${c.resources?.requests?.[name]}}`);
      else if (requests[name] !== limits[name]) cv.problem(requestPath(name), `must be equal to ${name} limit of ${limit}`);
    } else if (limit !== undefined && requests[name] > limits[name]) {
      cv.problem(requestPath(name), `must be less than or equal to ${name} limit of ${limit}`);
    }
  }
  checkGpuAsk(requests, cv, requestPath);
  const out: Container = { name: c.name, requests, limits };
  if (c.restartPolicy) out.restartPolicy = c.restartPolicy;
  if (c.readinessProbe) out.readinessDelaySeconds = c.readinessProbe.initialDelaySeconds ?? 0;
  (c.ports ?? []).forEach((p, i) => {
    // ValidatePodSpec (validateHostNetwork): with the node's network a port cannot be remapped.
    if (hostNetwork && p.hostPort && p.hostPort !== p.containerPort) {
      cv.problem([...path, 'ports', i, 'hostPort'], 'must match `containerPort` when `hostNetwork` is true', `use hostPort: ${p.containerPort}, or leave it out`);
    }
  });
  const hostPorts = toHostPorts(c.ports ?? [], hostNetwork);
  if (hostPorts.length > 0) out.hostPorts = hostPorts;
  return out;
}

/** A share of a GPU (alibabacloud.com/gpu-milli) is 1 to 999 thousandths of one GPU, never with
 *  whole GPUs beside it: the GpuShare filter (scheduler/plugins/gpuShare.ts) places it on one GPU. */
function checkGpuAsk(requests: ResourceMap, cv: Convert, requestPath: (name: string) => (string | number)[]): void {
  const milli = requests[GPU_MILLI_RESOURCE];
  if (milli === undefined) return;
  if (!Number.isInteger(milli) || milli < 1 || milli >= MILLI_PER_GPU) {
    cv.problem(requestPath(GPU_MILLI_RESOURCE), `must be a share of one GPU, 1 to 999 (thousandths of a GPU), not ${milli}`, `for whole GPUs ask for ${GPU_RESOURCE}: ${Math.max(1, Math.ceil(milli / MILLI_PER_GPU))}`);
  } else if ((requests[GPU_RESOURCE] ?? 0) > 0) {
    cv.problem(requestPath(GPU_MILLI_RESOURCE), `cannot be asked for beside ${GPU_RESOURCE}`, `ask for whole GPUs (${GPU_RESOURCE}) or a share of one GPU (${GPU_MILLI_RESOURCE}), not both`);
  }
}

/** The ports that claim a port on the node. SetDefaults_ContainerPort makes the protocol TCP;
 *  with hostNetwork, SetDefaults_Pod (defaultHostNetworkPorts) sets an unset hostPort to the
 *  containerPort. */
function toHostPorts(ports: readonly ContainerPortInput[], hostNetwork: boolean): HostPort[] {
  const out: HostPort[] = [];
  for (const p of ports) {
    const hostPort = p.hostPort || (hostNetwork ? p.containerPort : 0);
    if (hostPort <= 0) continue;
    const port: HostPort = { hostPort, protocol: p.protocol ?? 'TCP' };
    if (p.hostIP) port.hostIP = p.hostIP;
    out.push(port);
  }
  return out;
}

export function toPodSpec(spec: PodSpecInput, cv: Convert, path: (string | number)[], defaultRestart: RestartPolicy = 'Always'): PodSpec {
  const hostNetwork = spec.hostNetwork ?? false;
  const out: PodSpec = {
    containers: spec.containers.map((c, i) => toContainer(c, cv, [...path, 'containers', i], hostNetwork)),
    initContainers: (spec.initContainers ?? []).map((c, i) => toContainer(c, cv, [...path, 'initContainers', i], hostNetwork)),
    tolerations: spec.tolerations ?? [],
    topologySpreadConstraints: spec.topologySpreadConstraints ?? [],
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
    restartPolicy: spec.restartPolicy ?? defaultRestart,
    hasLocalStorage: (spec.volumes ?? []).some((v) => v.hostPath !== undefined || (v.emptyDir !== undefined && v.emptyDir?.medium !== 'Memory')),
  };
  checkUniqueNames(spec, cv, path);
  if (spec.nodeName !== undefined) out.nodeName = spec.nodeName;
  if (spec.nodeSelector !== undefined) out.nodeSelector = spec.nodeSelector;
  if (spec.affinity !== undefined) out.affinity = spec.affinity;
  if (spec.priorityClassName !== undefined) out.priorityClassName = spec.priorityClassName;
  if (spec.priority !== undefined) out.priority = spec.priority;
  if (spec.preemptionPolicy !== undefined) out.preemptionPolicy = spec.preemptionPolicy;
  if (spec.overhead !== undefined) out.overhead = toResourceMap(spec.overhead, cv, [...path, 'overhead']);
  return out;
}

function checkUniqueNames(spec: PodSpecInput, cv: Convert, path: (string | number)[]): void {
  const seen = new Set<string>();
  const all = [...(spec.initContainers ?? []).map((c, i) => ['initContainers', i, c.name] as const), ...spec.containers.map((c, i) => ['containers', i, c.name] as const)];
  for (const [list, i, name] of all) {
    if (seen.has(name)) cv.problem([...path, list, i, 'name'], `duplicate container name "${name}"`);
    seen.add(name);
  }
}

export function toPodTemplate(t: PodTemplateInput, cv: Convert, path: (string | number)[], defaultRestart: RestartPolicy = 'Always'): PodTemplate {
  return {
    labels: t.metadata?.labels ?? {},
    annotations: t.metadata?.annotations ?? {},
    spec: toPodSpec(t.spec, cv, [...path, 'spec'], defaultRestart),
  };
}
