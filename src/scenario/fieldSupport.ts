// What capsim accepts but does not simulate: one list, so that no one believes a setting took
// effect when it did not. Every field the scenario schema or a Kubernetes kind accepts is either
// read by the simulation (simulatedFields.ts names where) or listed here with the reason;
// test/field-support.test.ts fails on a field that is neither, and docs/scenario.md ("Accepted
// but not simulated") is this list. `capsim validate` and `capsim run` print a notice for each
// listed field a scenario or manifest sets (fieldNotices.ts), unless the entry says `notice: 'never'`.
// Fields are "Scope path" (schemaFields.ts): a kind, the Scenario or a shared type.
import { KINDS } from './kube/kinds.ts';

type Value = unknown;
type Parent = Record<string, unknown>;

export interface NotSimulatedField {
  /** "Deployment spec.progressDeadlineSeconds", "Container livenessProbe" (covers what is under it). */
  field: string;
  /** Why, or what happens instead; shown in the notice and in the docs. */
  reason: string;
  /**
   * When a notice is printed: whenever the field is set (the default); only for some values
   * (`when`, described by `text` in the docs: "when not 0"); or never: the field has no bearing
   * on what capsim models, in Kubernetes either, or it is required and any value behaves the same.
   */
  notice?: 'never' | { when: (value: Value, parent: Parent) => boolean; text: string };
  /** The field is read (it is in simulatedFields.ts too); only the values `notice.when` picks
   *  are not simulated. The notice then reads "<field>: <reason>". */
  partly?: true;
}

const never = 'never' as const;
const when = (text: string, test: (value: Value, parent: Parent) => boolean) => ({ when: test, text });

/** Bookkeeping the API server writes; `kubectl get -o yaml` output carries it. */
const BOOKKEEPING = 'written by the API server; kept so that `kubectl get -o yaml` output loads as it is';
const RUNS = 'what the container runs and how; its CPU and memory are behavior[].usage';
const NO_VOLUMES = 'volumes are not simulated: no volume binding, attach limits or zone constraints (the VolumeBinding, VolumeZone, NodeVolumeLimits and VolumeRestrictions plugins)';
const DATA_VOLUME = 'mounted data; no bearing on scheduling or capacity';
const NEVER_FAILS = 'probes always succeed in capsim, so this matters only to a probe that fails';

/** Taints of node conditions. capsim's failed nodes get the first; the second marks a node whose
 *  kubelet reports NotReady, which capsim does not model, so a toleration for it (every pod has
 *  one, from DefaultTolerationSeconds) has nothing to act on. */
const NODE_CONDITION_TAINTS = ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'];

/** Kinds whose `status` is only bookkeeping (a Node's status carries its capacity; a Pod's,
 *  Job's, HPA's, StatefulSet's and ScaledObject's tell where a cluster's state stands). */
const STATUS_READ = new Set(['Node', 'Pod', 'Job', 'HorizontalPodAutoscaler', 'StatefulSet', 'ScaledObject']);
const STATUS_IGNORED: NotSimulatedField[] = Object.keys(KINDS)
  .filter((kind) => !STATUS_READ.has(kind))
  .map((kind) => ({ field: `${kind} status`, reason: 'written by the cluster; capsim computes the status itself', notice: never }));

const LISTED: readonly NotSimulatedField[] = [
  // --- the Scenario ------------------------------------------------------------------------------
  { field: 'Scenario spec.workloads[].hpa.metrics[].value', reason: 'a pods or external metric takes its target inside pods: or external:' },
  ...['container', 'averageUtilization', 'averageValue'].map((f): NotSimulatedField => ({
    field: `Scenario spec.workloads[].hpa.metrics[].${f}`, partly: true, reason: 'applies to a resource metric; with pods or external it is ignored (they take their target inside)',
    notice: when('with pods: or external:', (_, m) => m.resource === undefined),
  })),
  { field: 'Scenario spec.behavior[].run', partly: true, reason: 'applies to Job and CronJob pods; a bare pod serves until it is deleted', notice: when('on a Pod target', (_, b) => typeof b.target === 'string' && b.target.startsWith('Pod/')) },

  // --- ObjectMeta (every object's metadata and every template's) --------------------------------
  ...['apiVersion', 'uid', 'blockOwnerDeletion'].map((f) => ({ field: `ObjectMeta ownerReferences[].${f}`, reason: 'an owner is found by its kind, namespace and name', notice: never })),
  { field: 'ObjectMeta generateName', reason: 'metadata.name is required and used', notice: never },
  ...['selfLink', 'uid', 'resourceVersion', 'generation', 'deletionGracePeriodSeconds', 'finalizers', 'managedFields'].map((f) => ({ field: `ObjectMeta ${f}`, reason: BOOKKEEPING, notice: never })),
  ...STATUS_IGNORED,

  // --- PodSpec (Pod, and the pod template of every workload) ------------------------------------
  { field: 'PodSpec activeDeadlineSeconds', reason: 'pods are not stopped at a deadline (DeadlineExceeded); a Job\'s own activeDeadlineSeconds is simulated' },
  { field: 'PodSpec schedulerName', reason: 'capsim\'s one scheduler, kube-scheduler\'s default profile, places every pod', notice: when('when not default-scheduler', (v) => v !== 'default-scheduler') },
  { field: 'PodSpec readinessGates', reason: 'no controller sets the gates\' conditions: a pod is Ready when its containers are' },
  { field: 'PodSpec runtimeClassName', reason: 'RuntimeClass objects are skipped: no overhead or scheduling constraints come from it (spec.overhead is simulated)' },
  { field: 'PodSpec schedulingGates', reason: 'pods are scheduled at once; no controller removes gates' },
  { field: 'PodSpec resourceClaims', reason: 'dynamic resource allocation is not simulated' },
  { field: 'PodSpec resources', reason: 'pod-level resources are not simulated: requests and limits come from the containers' },
  { field: 'PodSpec ephemeralContainers', reason: 'added by kubectl debug; they have no resources', notice: never },
  ...['dnsPolicy', 'dnsConfig', 'serviceAccountName', 'serviceAccount', 'automountServiceAccountToken', 'hostPID', 'hostIPC', 'shareProcessNamespace', 'securityContext',
    'imagePullSecrets', 'hostname', 'subdomain', 'hostAliases', 'enableServiceLinks', 'setHostnameAsFQDN', 'os', 'hostUsers', 'hostnameOverride'].map((f) => ({
    field: `PodSpec ${f}`, reason: 'identity, networking names and security settings: no bearing on scheduling or capacity', notice: never,
  })),
  { field: 'PodSpec volumes[].name', reason: 'names a volume for volumeMounts', notice: never },
  { field: 'PodSpec volumes[].emptyDir.sizeLimit', reason: 'disk usage is not simulated: the kubelet never evicts a pod for a full emptyDir' },
  ...['path', 'type'].map((f) => ({ field: `PodSpec volumes[].hostPath.${f}`, reason: 'a hostPath volume is local storage to the cluster autoscaler, wherever it points and whatever its type', notice: never })),
  ...['persistentVolumeClaim', 'ephemeral', 'csi', 'gcePersistentDisk', 'awsElasticBlockStore', 'azureDisk', 'cinder', 'vsphereVolume', 'portworxVolume', 'rbd', 'iscsi'].map((f) => ({ field: `PodSpec volumes[].${f}`, reason: NO_VOLUMES })),
  ...['secret', 'configMap', 'downwardAPI', 'projected', 'gitRepo', 'image', 'nfs', 'cephfs', 'glusterfs', 'azureFile', 'quobyte', 'flocker', 'flexVolume', 'fc', 'scaleIO', 'storageos', 'photonPersistentDisk'].map((f) => ({
    field: `PodSpec volumes[].${f}`, reason: DATA_VOLUME, notice: never,
  })),

  // --- Container (containers, initContainers, and the workloads shorthand's containers) ---------
  { field: 'Container livenessProbe', reason: 'liveness probes never fail: a container restarts only when it is OOM-killed' },
  { field: 'Container startupProbe', reason: 'startup probes are not run: time to Ready is readinessProbe.initialDelaySeconds or behavior[].startup.delay' },
  { field: 'Container readinessProbe.periodSeconds', reason: 'a container is Ready as soon as initialDelaySeconds have passed; upstream probes every periodSeconds, so Ready comes at the first probe after that' },
  { field: 'Container readinessProbe.successThreshold', reason: 'one probe makes a container Ready; upstream needs successThreshold probes in a row', notice: when('when not 1', (v) => v !== 1) },
  ...['exec', 'httpGet', 'tcpSocket', 'grpc'].map((f) => ({ field: `Container readinessProbe.${f}`, reason: 'what the probe checks; capsim\'s probes always succeed', notice: never })),
  ...['timeoutSeconds', 'failureThreshold', 'terminationGracePeriodSeconds'].map((f) => ({ field: `Container readinessProbe.${f}`, reason: NEVER_FAILS, notice: never })),
  { field: 'Container lifecycle', reason: 'hooks are not run: a pod takes behavior[].shutdown.delay (default its terminationGracePeriodSeconds) to terminate and is Ready per readinessProbe' },
  { field: 'Container resizePolicy', reason: 'in-place resize is not simulated (a VPA in InPlaceOrRecreate mode recreates pods)' },
  { field: 'Container restartPolicyRules', reason: 'container restart rules are not simulated: a container restarts per the pod\'s restartPolicy' },
  ...['image', 'imagePullPolicy', 'command', 'args', 'workingDir', 'env', 'envFrom', 'volumeMounts', 'volumeDevices', 'terminationMessagePath',
    'terminationMessagePolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty'].map((f) => ({ field: `Container ${f}`, reason: RUNS, notice: never })),
  { field: 'Container ports[].name', reason: 'names a port for Services and probes', notice: never },
  { field: 'ResourceRequirements claims', reason: 'dynamic resource allocation is not simulated' },

  // --- Taint -----------------------------------------------------------------------------------
  { field: 'Taint timeAdded', reason: 'written by the node controller when it adds a taint', notice: never },
  {
    field: 'Toleration tolerationSeconds', partly: true,
    reason: 'counts only for the node.kubernetes.io/unreachable taint a failed node gets; a pod tolerating another NoExecute taint is never evicted for it',
    notice: when('for another NoExecute taint', (_, t) => !NODE_CONDITION_TAINTS.includes(t.key as string) && (t.effect === undefined || t.effect === 'NoExecute')),
  },

  // --- Kinds ------------------------------------------------------------------------------------
  { field: 'Deployment spec.progressDeadlineSeconds', reason: 'a rollout never times out: no ProgressDeadlineExceeded' },
  { field: 'StatefulSet spec.volumeClaimTemplates', reason: 'no PersistentVolumeClaims are created: a recreated pod is placed like a new one, with no volume or zone constraint' },
  { field: 'StatefulSet spec.persistentVolumeClaimRetentionPolicy', reason: 'no PersistentVolumeClaims are created', notice: never },
  { field: 'StatefulSet spec.serviceName', reason: 'names the governing Service (DNS)', notice: never },
  { field: 'StatefulSet spec.revisionHistoryLimit', reason: 'ControllerRevisions are not kept', notice: never },
  { field: 'StatefulSet spec.ordinals', reason: 'pods are numbered from 0' },
  { field: 'StatefulSet spec.updateStrategy.rollingUpdate.maxUnavailable', reason: 'one pod at a time, as upstream with the MaxUnavailableStatefulSet feature gate off (its default)', notice: when('when not 1', (v) => v !== 1) },
  { field: 'DaemonSet spec.updateStrategy.rollingUpdate.maxSurge', reason: 'a rolling update deletes the old pod before it creates the new one, within maxUnavailable', notice: when('when not 0', (v) => v !== 0 && v !== '0%') },
  { field: 'DaemonSet spec.minReadySeconds', reason: 'a daemon pod counts as available as soon as it is Ready', notice: when('when not 0', (v) => v !== 0) },
  { field: 'DaemonSet spec.revisionHistoryLimit', reason: 'ControllerRevisions are not kept', notice: never },
  { field: 'JobSpec podFailurePolicy', reason: 'every failed pod counts against backoffLimit' },
  { field: 'JobSpec successPolicy', reason: 'a Job succeeds when its completions have succeeded' },
  { field: 'JobSpec backoffLimitPerIndex', reason: 'failures count against backoffLimit, for all indexes together' },
  { field: 'JobSpec maxFailedIndexes', reason: 'failures count against backoffLimit, for all indexes together' },
  { field: 'JobSpec selector', reason: 'a Job counts the pods it creates (the API server generates this selector for them)', notice: never },
  { field: 'JobSpec manualSelector', reason: 'a Job counts only the pods it creates; adopting other pods is not simulated', notice: when('when true', (v) => v === true) },
  { field: 'JobSpec podReplacementPolicy', reason: 'a replacement pod is created as soon as the old one is terminating (TerminatingOrFailed)', notice: when('when Failed', (v) => v === 'Failed') },
  { field: 'JobSpec managedBy', reason: 'capsim\'s Job controller runs every Job', notice: when('when not kubernetes.io/job-controller', (v) => v !== 'kubernetes.io/job-controller') },
  { field: 'HorizontalPodAutoscaler spec.metrics[].object', reason: 'Object metrics count as unavailable, which blocks every scale-down (and all scaling when it is the only metric)' },
  { field: 'HorizontalPodAutoscaler spec.metrics[].pods.metric.name', reason: 'any name: a Pods metric is the pod\'s share of its workload\'s demand', notice: never },
  { field: 'HorizontalPodAutoscaler spec.metrics[].external.metric.name', reason: 'any name: an External metric is the workload\'s total demand', notice: never },
  { field: 'HorizontalPodAutoscaler spec.metrics[].pods.metric.selector', reason: 'metric selectors are not simulated: the metric is the workload\'s demand' },
  { field: 'HorizontalPodAutoscaler spec.metrics[].external.metric.selector', reason: 'metric selectors are not simulated: the metric is the workload\'s demand' },
  { field: 'HorizontalPodAutoscaler spec.metrics[].pods.target.value', reason: 'a Pods metric\'s target is averageValue' },
  { field: 'HorizontalPodAutoscaler spec.metrics[].pods.target.averageUtilization', reason: 'a Pods metric\'s target is averageValue' },
  { field: 'HorizontalPodAutoscaler spec.metrics[].external.target.averageUtilization', reason: 'an External metric\'s target is value or averageValue' },
  { field: 'HorizontalPodAutoscaler spec.metrics[].resource.target.value', reason: 'a resource metric\'s target is averageUtilization or averageValue' },
  { field: 'HorizontalPodAutoscaler spec.metrics[].containerResource.target.value', reason: 'a resource metric\'s target is averageUtilization or averageValue' },
  { field: 'VerticalPodAutoscaler spec.updatePolicy.evictionRequirements', reason: 'the updater evicts by its own rules only' },
  { field: 'VerticalPodAutoscaler spec.recommenders', reason: 'capsim\'s one recommender, the default one, sizes every VPA', notice: when('when naming another recommender', (v) => Array.isArray(v) && v.some((r) => (r as { name?: unknown })?.name !== 'default')) },
  { field: 'CrossVersionObjectReference apiVersion', reason: 'the target is found by kind and name', notice: never },
  { field: 'PriorityClass description', reason: 'a description for people', notice: never },
  { field: 'LimitRange spec.limits[].type', partly: true, reason: 'a PersistentVolumeClaim item has no effect (no PersistentVolumeClaims are simulated)', notice: when('for PersistentVolumeClaim items', (v) => v === 'PersistentVolumeClaim') },
  {
    field: 'ResourceQuota spec.hard', partly: true,
    reason: 'only what pods use is counted (pods, count/pods, cpu, memory, ephemeral-storage, requests.* and limits.* of them and of extended resources); object counts and storage never fill up',
    notice: when('when naming object counts or storage', (v) => Object.keys((v ?? {}) as object).some((name) => !isPodQuotaResource(name))),
  },
  {
    field: 'ResourceQuota spec.scopes', partly: true,
    reason: 'only the BestEffort and NotBestEffort scopes are simulated; the others select every pod',
    notice: when('when naming other scopes', (v) => Array.isArray(v) && v.some((s) => s !== 'BestEffort' && s !== 'NotBestEffort')),
  },
  { field: 'ResourceQuota spec.scopeSelector', reason: 'the quota applies to every pod of its namespace (and its scopes)' },
  { field: 'Namespace spec.finalizers', reason: BOOKKEEPING, notice: never },
  { field: 'Rollout spec.strategy.canary.steps', reason: 'canary steps, pauses, analysis and traffic weights are not simulated: a rollout rolls as a Deployment\'s RollingUpdate with the canary\'s maxSurge and maxUnavailable' },
  { field: 'Rollout spec.strategy.blueGreen', reason: 'the blue-green switch, previews and analysis are not simulated: a rollout brings the new ReplicaSet up whole (maxSurge 100%, maxUnavailable 0) before the old one goes' },
  { field: 'Rollout spec.workloadRef.apiVersion', reason: 'the Deployment is found by kind and name', notice: never },
  { field: 'Rollout spec.workloadRef.scaleDown', reason: 'Argo scaling the referenced Deployment down is not simulated: it runs the replicas the cluster\'s state gives it' },
  { field: 'ScaledObject spec.scaleTargetRef.apiVersion', reason: 'the target is found by kind and name', notice: never },
  { field: 'ScaledObject spec.maxReplicaCount', reason: 'KEDA writes it into the HPA it generates, whose maxReplicas is simulated', notice: never },
  // Karpenter: the run provisions, terminates, expires and handles spot interruptions from
  // NodePools, and disrupts their nodes (consolidation, drift, emptiness).
  ...['NodePool', 'NodeClaim', 'EC2NodeClass', 'AKSNodeClass'].map((kind) => ({ field: `${kind} status`, reason: 'written by Karpenter; capsim computes nothing from it', notice: never })),
  { field: 'NodePool spec.replicas', reason: 'static NodePools are not simulated: no node is launched or kept for them (a karpenter-nodepool warning says so)' },
  { field: 'NodeClaim spec', reason: 'a NodeClaim is Karpenter\'s record of a node it launched: the Node it became is what runs', notice: never },
  ...['id', 'name', 'owner', 'ssmParameter', 'tags'].map((f) => ({ field: `EC2NodeClass spec.amiSelectorTerms[].${f}`, reason: 'which AMI the nodes boot: capsim resolves no AMI; the terms as a whole are what drift compares (a nodeClassUpdate event changes them)', notice: never })),
  ...['EC2NodeClass', 'AKSNodeClass'].flatMap((kind) => [
    { field: `${kind} spec.kubelet.podsPerCore`, reason: 'pods per node is maxPods (or the catalog\'s); podsPerCore is not applied' },
    { field: `${kind} spec.kubelet.evictionSoft`, reason: 'soft eviction is not simulated; allocatable keeps only evictionHard' },
    {
      field: `${kind} spec.kubelet.evictionHard`, partly: true, reason: 'only memory.available counts (against allocatable memory); disk and pid signals are not modelled',
      notice: when('when naming other signals', (v: Value) => Object.keys((v ?? {}) as object).some((k) => k !== 'memory.available')),
    },
  ]),
  { field: 'EC2NodeClass spec.blockDeviceMappings', reason: 'ephemeral storage is not modelled: a node\'s disks do not change its capacity in capsim' },
  { field: 'AKSNodeClass spec.imageFamily', reason: 'which image the nodes boot: capsim resolves no image; a nodeClassUpdate event with newImage makes the nodes drift', notice: never },
  { field: 'Node status.images', reason: 'the ImageLocality score is not simulated' },
  ...['phase', 'conditions', 'addresses', 'daemonEndpoints', 'nodeInfo', 'volumesInUse', 'volumesAttached', 'config', 'runtimeHandlers', 'features'].map((f) => ({
    field: `Node status.${f}`, reason: 'reported by the kubelet: capsim\'s nodes are Ready from the start and fail only by scripted events', notice: never,
  })),
  ...['podCIDR', 'podCIDRs', 'configSource', 'externalID'].map((f) => ({ field: `Node spec.${f}`, reason: 'addressing and cloud bookkeeping', notice: never })),
];

/** Quota names a pod is charged for (src/api/admission/resourceQuota.ts usageOf). */
function isPodQuotaResource(name: string): boolean {
  if (['pods', 'count/pods', 'cpu', 'memory', 'ephemeral-storage'].includes(name)) return true;
  if (name === 'requests.storage' || name.includes('storageclass.storage.k8s.io')) return false;
  return name.startsWith('requests.') || name.startsWith('limits.');
}

/** An autoscaling/v2 item of the shorthand's `hpa.metrics` goes into the generated HPA as it is:
 *  its fields are classified as the HPA's, and the generated HPA gives the notices (at the
 *  shorthand's line), so these copies give none. */
const HPA_METRIC = 'HorizontalPodAutoscaler spec.metrics[].';
export const SHORTHAND_METRIC = 'Scenario spec.workloads[].hpa.metrics[].';
export const NOT_SIMULATED: readonly NotSimulatedField[] = [
  ...LISTED,
  ...LISTED.filter((f) => f.field.startsWith(HPA_METRIC)).map((f) => ({ ...f, field: SHORTHAND_METRIC + f.field.slice(HPA_METRIC.length), notice: never })),
];

export const NOT_SIMULATED_BY_FIELD: ReadonlyMap<string, NotSimulatedField> = new Map(NOT_SIMULATED.map((f) => [f.field, f]));

/** docs/scenario.md's table of this list (test/docs.test.ts keeps the two equal): one row per
 *  reason, naming the fields (and the kinds) it is given for. */
export function notSimulatedMarkdown(scopeOrder: readonly string[]): string {
  const split = (f: NotSimulatedField) => ({ scope: f.field.slice(0, f.field.indexOf(' ')), path: f.field.slice(f.field.indexOf(' ') + 1) });
  const noticeText = (f: NotSimulatedField) => (f.notice === 'never' ? 'none' : f.notice ? f.notice.text : 'when set');
  // Fields of one scope with one reason, then scopes with the same fields and reason (status).
  const byReason = new Map<string, { scope: string; paths: string[]; notice: string; reason: string }>();
  for (const f of LISTED) { // without the shorthand's copies of the HPA's metric fields: the HPA's rows say it
    const { scope, path } = split(f);
    const key = JSON.stringify([scope, noticeText(f), f.reason]);
    const row = byReason.get(key);
    if (row) row.paths.push(path);
    else byReason.set(key, { scope, paths: [path], notice: noticeText(f), reason: f.reason });
  }
  const rows = new Map<string, { scopes: string[]; paths: string[]; notice: string; reason: string }>();
  for (const r of byReason.values()) {
    const key = JSON.stringify([r.paths, r.notice, r.reason]);
    const row = rows.get(key);
    if (row) row.scopes.push(r.scope);
    else rows.set(key, { scopes: [r.scope], paths: r.paths, notice: r.notice, reason: r.reason });
  }
  const order = (r: { scopes: string[] }) => scopeOrder.indexOf(r.scopes[0]);
  const lines = [...rows.values()].sort((a, b) => order(a) - order(b)).map((r) =>
    `| ${r.scopes.join(', ')} | ${r.paths.map((p) => `\`${p}\``).join(', ')} | ${r.notice} | ${r.reason.replace(/\|/g, '\\|')} |`);
  return ['| In | Fields | Notice | Why, or what capsim does instead |', '|---|---|---|---|', ...lines].join('\n');
}
