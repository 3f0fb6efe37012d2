// The fields the simulation reads, each with the file that reads it (under src/) and the name it
// is read by there. Together with fieldSupport.ts (what is accepted but not simulated) this
// classifies every field of every schema: test/field-support.test.ts fails on a field in neither
// list, on an entry naming no field, and on a file here that does not contain its name. A new
// schema field goes in one of the two lists. A field made of objects (spec, containers[], ...)
// needs no entry of its own: its fields say what is read.
// `pending` marks fields another branch of issue 13 is making simulated (or adding): they may be
// missing from the schema, and their file is not checked, until it is merged.
import { KINDS } from './kube/kinds.ts';

export interface SimulatedField {
  /** "Scope path", as in fieldSupport.ts. */
  field: string;
  /** The file under src/ that reads it. */
  readBy: string;
  /** What that file reads it as (the model's name for it). */
  token: string;
  pending?: string;
}

/** `reads(file, scope, paths)`: each path (after `prefix`) is read by `file` under its last name,
 *  or under the name given as [path, token]. */
function reads(readBy: string, scope: string, paths: (string | [string, string])[], options: { prefix?: string; pending?: string } = {}): SimulatedField[] {
  return paths.map((p) => {
    const [path, token] = typeof p === 'string' ? [p, p.replace(/\[\]|\.\*/g, '').split('.').pop()!] : p;
    const field = `${scope} ${options.prefix ?? ''}${path}`;
    return options.pending ? { field, readBy, token, pending: options.pending } : { field, readBy, token };
  });
}

const POOL = { prefix: 'spec.cluster.nodePools[].' };
const CA = { prefix: 'spec.cluster.autoscaler.' };
const WORKLOAD = { prefix: 'spec.workloads[].' };
const EVENT = { prefix: 'spec.events[].' };
const SELECTION = ['drain', 'cordon', 'uncordon', 'nodeFailure'].flatMap((action) => ['node', 'pool', 'zone', 'count'].map((f) => `${action}.${f}`));
const NODE_AFFINITY_TERMS = [
  'nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[]',
  'nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].preference',
].flatMap((term) => ['matchExpressions', 'matchFields'].flatMap((list) => ['key', 'operator', 'values'].map((f) => `${term}.${list}[].${f}`)));
const POD_AFFINITY_TERMS = ['podAffinity', 'podAntiAffinity'].flatMap((a) => [
  `${a}.requiredDuringSchedulingIgnoredDuringExecution[]`,
  `${a}.preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm`,
]).flatMap((term) => ['namespaces', 'topologyKey', 'matchLabelKeys', 'mismatchLabelKeys'].map((f) => `${term}.${f}`));
const HPA_RULES = ['scaleUp', 'scaleDown'].flatMap((d): (string | [string, string])[] => [
  `spec.behavior.${d}.stabilizationWindowSeconds`, `spec.behavior.${d}.selectPolicy`, [`spec.behavior.${d}.policies[].type`, 'Percent'],
  `spec.behavior.${d}.policies[].value`, `spec.behavior.${d}.policies[].periodSeconds`,
]);

const LISTED: readonly SimulatedField[] = [
  // --- the Scenario ------------------------------------------------------------------------------
  ...reads('scenario/load.ts', 'Scenario', ['apiVersion', 'kind', ['spec.manifests', 'readManifests']]),
  ...reads('cli/run.ts', 'Scenario', [['metadata.name', 'scenario.name']]),
  ...reads('report/reportPage.ts', 'Scenario', ['metadata.description']),
  ...reads('world.ts', 'Scenario', [['spec.seed', 'scenario.seed'], ['spec.start', 'startEpochMs']]),
  ...reads('scenario/load.ts', 'Scenario', [['spec.placement', 'spec.placement']]),
  ...reads('run.ts', 'Scenario', [['spec.duration', 'durationMs'], ['spec.sampleEvery', 'sampleEveryMs']]),
  ...reads('carbon/carbonModel.ts', 'Scenario', [
    ['region', 'settings.region'], 'gridIntensityGPerKwh', ['pue', 'settings.pue'], ['wattsPerVcpu.min', 'wattsPerVcpu.min'], ['wattsPerVcpu.max', 'wattsPerVcpu.max'],
    'memoryKwhPerGbHour', 'serverLifespanHours', 'embodiedKgCo2ePerHost',
  ], { prefix: 'spec.carbon.' }),
  ...reads('cloud/cloudProvider.ts', 'Scenario', [
    ['name', 'pool.name'], 'instanceType', ['capacity', 'pool.capacity'], ['price.onDemandPerHour', 'priceUsdPerHour'], 'capacityType',
    'spot.interruptionsPerNodeDay', 'spot.noticeSeconds', ['spot.pricePerHour', 'priceUsdPerHour'], 'kubeReserved', 'systemReserved',
    ['evictionHard.memory.available', 'evictionHardMemoryBytes'], ['labels', 'pool.labels'], ['taints', 'pool.taints'], ['zones', 'pool.zones'],
    ['provisioningDelay', 'provisioningDelayMs'],
  ], POOL),
  ...reads('world.ts', 'Scenario', [['count', 'pool.count']], POOL),
  ...reads('controllers/clusterAutoscaler/scaleDown.ts', 'Scenario', [['min', 'pool.min']], POOL),
  ...reads('controllers/clusterAutoscaler/scaleUp.ts', 'Scenario', [['max', 'pool.max']], POOL),
  ...reads('cloud/cloudProvider.ts', 'Scenario', ['annotations'], POOL),
  ...reads('kubelet/config.ts', 'Scenario', ['cgroupVersion', ['evictionPressureTransitionPeriod', 'evictionPressureTransitionPeriodMs']], POOL),
  ...reads('controllers/clusterAutoscaler/expanders/strategy.ts', 'Scenario', ['expander', 'priorities'], CA),
  ...reads('controllers/clusterAutoscaler/clusterAutoscaler.ts', 'Scenario', [
    ['scanInterval', 'scanIntervalMs'], 'scaleDownEnabled', ['maxNodeProvisionTime', 'maxNodeProvisionTimeMs'],
    ['initialNodeGroupBackoffDuration', 'initialNodeGroupBackoffDurationMs'], ['maxNodeGroupBackoffDuration', 'maxNodeGroupBackoffDurationMs'],
    ['nodeGroupBackoffResetTimeout', 'nodeGroupBackoffResetTimeoutMs'], 'okTotalUnreadyCount', 'maxTotalUnreadyPercentage',
  ], CA),
  ...reads('controllers/clusterAutoscaler/scaleDown.ts', 'Scenario', [
    'scaleDownUtilizationThreshold', 'scaleDownGpuUtilizationThreshold', ['scaleDownUnneededTime', 'scaleDownUnneededTimeMs'],
    ['scaleDownUnreadyTime', 'scaleDownUnreadyTimeMs'], ['scaleDownDelayAfterAdd', 'scaleDownDelayAfterAddMs'], ['scaleDownDelayAfterDelete', 'scaleDownDelayAfterDeleteMs'],
    ['scaleDownDelayAfterFailure', 'scaleDownDelayAfterFailureMs'], 'ignoreDaemonsetsUtilization', 'maxScaleDownParallelism', 'maxDrainParallelism',
    'maxGracefulTerminationSec', ['maxPodEvictionTime', 'maxPodEvictionTimeMs'], ['nodeDeleteDelayAfterTaint', 'nodeDeleteDelayAfterTaintMs'],
    ['unremovableNodeRecheckTimeout', 'unremovableNodeRecheckTimeoutMs'],
  ], CA),
  ...reads('controllers/clusterAutoscaler/drainability.ts', 'Scenario', ['skipNodesWithLocalStorage', 'skipNodesWithSystemPods', 'skipNodesWithCustomControllerPods'], CA),
  ...reads('controllers/clusterAutoscaler/scaleUp.ts', 'Scenario', ['maxNodesTotal', 'expendablePodsPriorityCutoff', ['newPodScaleUpDelay', 'newPodScaleUpDelayMs'], 'maxNodesPerScaleUp'], CA),
  ...reads('controllers/clusterAutoscaler/scaleUp.ts', 'Scenario', ['balanceSimilarNodeGroups'], CA),
  ...reads('controllers/clusterAutoscaler/resourceLimits.ts', 'Scenario', ['coresTotal.min', 'coresTotal.max', 'memoryTotal.min', 'memoryTotal.max'], CA),
  ...reads('scheduler/profile.ts', 'Scenario', ['spec.cluster.scheduler.scoringStrategy', 'spec.cluster.scheduler.percentageOfNodesToScore']),
  // The shorthand becomes Kubernetes objects, whose fields are classified as the kinds' are.
  ...reads('scenario/shorthand.ts', 'Scenario', [
    'name', 'namespace', 'kind', 'replicas', 'labels', 'annotations', 'priorityClassName', 'nodeSelector', 'terminationGracePeriodSeconds', 'strategy.type',
    ['strategy.rollingUpdate.maxSurge', 'strategy'], ['strategy.rollingUpdate.maxUnavailable', 'strategy'], ['strategy.rollingUpdate.partition', 'rollingUpdate'],
    'schedule', 'concurrencyPolicy', 'parallelism', 'completions', 'backoffLimit', 'restartPolicy', 'hpa.minReplicas', 'hpa.maxReplicas', 'hpa.metrics[].resource',
    'hpa.metrics[].container', 'hpa.metrics[].averageUtilization', 'hpa.metrics[].averageValue', 'hpa.metrics[].pods.name', 'hpa.metrics[].pods.averageValue',
    'hpa.metrics[].external.name', ['hpa.metrics[].external.value', 'm.external.value'], ['hpa.metrics[].external.averageValue', 'm.external.averageValue'],
    'hpa.behavior', 'vpa.updateMode', 'vpa.minReplicas', 'vpa.containerPolicies', ['pdb.minAvailable', 'w.pdb'], ['pdb.maxUnavailable', 'w.pdb'],
    ['pdb.unhealthyPodEvictionPolicy', 'w.pdb'],
  ], WORKLOAD),
  ...reads('world.ts', 'Scenario', ['spec.behavior[].target', ['spec.behavior[].startup.delay', 'startup.delayMs'], ['spec.behavior[].shutdown.delay', 'shutdown.delayMs']]),
  ...reads('workload/demand.ts', 'Scenario', [
    'constant', 'daily.amplitude', 'daily.peakAt', 'weekly.weekendFactor', 'growth.perDay', ['spike.at', 'atMs'], ['spike.duration', 'durationMs'], 'spike.factor', 'noise.cv',
  ], { prefix: 'spec.behavior[].demand[].' }),
  ...reads('workload/trace.ts', 'Scenario', [['file', 'file'], ['time', 'timesMs'], ['value', 'values']], { prefix: 'spec.behavior[].demand[].trace.' }),
  ...reads('workload/usage.ts', 'Scenario', [
    ['cpu.base', 'baseMilli'], ['cpu.perUnit', 'perUnitMilli'], ['memory.base', 'baseBytes'], ['memory.perUnit', 'perUnitBytes'], ['memory.leakPerHour', 'leakBytesPerHour'], 'memory.noise',
  ], { prefix: 'spec.behavior[].usage.*.' }),
  ...reads('workload/arrivals.ts', 'Scenario', ['cron', 'poissonPerHour'], { prefix: 'spec.behavior[].arrivals.' }),
  ...reads('kubectl/traceReplay.ts', 'Scenario', [['spec.traces[].file', 'file']]),
  ...reads('workload/runDuration.ts', 'Scenario', [
    ['run', 'RunDuration'], ['run.duration', 'fixedMs'], ['run.duration.lognormal.median', 'medianMs'], 'run.duration.lognormal.sigma', ['run.duration.exponential.mean', 'meanMs'],
  ], { prefix: 'spec.behavior[].' }),
  ...reads('scriptedEvents.ts', 'Scenario', [
    ['at', 'atMs'], ...SELECTION, ['drain.gracePeriod', 'gracePeriodSeconds'], ['drain.timeout', 'timeoutMs'], 'drain.deleteNodes', ['nodeFailure.duration', 'durationMs'],
    'zoneOutage.zone', ['zoneOutage.duration', 'durationMs'], 'spotInterruption.pool', 'spotInterruption.count', 'capacityUnavailable.pool',
    ['capacityUnavailable.duration', 'durationMs'], ['rollout.target', 'target'], ['scale.target', 'target'], ['scale.replicas', 'replicas'],
  ], EVENT),

  // --- every object ------------------------------------------------------------------------------
  ...Object.keys(KINDS).flatMap((kind) => reads('scenario/manifests.ts', kind, ['apiVersion', 'kind'])),
  ...reads('api/apply.ts', 'ObjectMeta', ['name', 'namespace', ['labels', 'metadata.labels'], ['annotations', 'metadata.annotations']]),
  // A cluster's state: who owns whom (GetControllerOf), and which of a Deployment's sets is newest.
  ...reads('model/objects.ts', 'ObjectMeta', [['ownerReferences[].controller', 'r.controller']]),
  ...reads('scenario/clusterState.ts', 'ObjectMeta', [['ownerReferences[].kind', 'owner.kind'], ['ownerReferences[].name', 'owner.name'], ['creationTimestamp', 'metadata.creationTimestamp'], ['deletionTimestamp', 'metadata.deletionTimestamp']]),

  // --- pods ----------------------------------------------------------------------------------------
  ...reads('kubelet/kubelet.ts', 'PodSpec', [['restartPolicy', 'spec.restartPolicy'], 'terminationGracePeriodSeconds']),
  ...reads('model/nodeSelector.ts', 'PodSpec', ['nodeSelector']),
  ...reads('scheduler/plugins/nodeName.ts', 'PodSpec', ['nodeName']),
  ...reads('api/admission/priority.ts', 'PodSpec', ['priorityClassName', ['priority', 'spec.priority'], 'preemptionPolicy']),
  ...reads('model/podResources.ts', 'PodSpec', ['overhead']),
  ...reads('controllers/clusterAutoscaler/drainability.ts', 'PodSpec', [['volumes[].emptyDir.medium', 'hasLocalStorage'], ['volumes[].hostPath', 'hasLocalStorage']]),
  ...reads('scenario/kube/pod.ts', 'PodSpec', ['hostNetwork']),
  ...reads('kubelet/podGroups.ts', 'Container', [['name', 'usage, c.name']]),
  ...reads('model/podResources.ts', 'Container', ['restartPolicy']),
  ...reads('kubelet/kubelet.ts', 'Container', [['readinessProbe.initialDelaySeconds', 'readinessDelaySeconds']]),
  ...reads('model/hostPorts.ts', 'Container', ['ports[].hostPort', 'ports[].hostIP', 'ports[].protocol']),
  // With hostNetwork every containerPort is a host port (made so when the manifest is read).
  ...reads('scenario/kube/pod.ts', 'Container', ['ports[].containerPort']),
  ...reads('model/podResources.ts', 'ResourceRequirements', ['requests', 'limits']),
  ...reads('model/nodeSelector.ts', 'Affinity', NODE_AFFINITY_TERMS),
  ...reads('scheduler/plugins/nodeAffinity.ts', 'Affinity', ['nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[].weight']),
  ...reads('scheduler/plugins/interPodAffinity.ts', 'Affinity', [
    ...POD_AFFINITY_TERMS, 'podAffinity.preferredDuringSchedulingIgnoredDuringExecution[].weight', 'podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[].weight',
  ]),
  ...reads('model/taints.ts', 'Toleration', ['key', 'operator', 'value', 'effect']),
  ...reads('controllers/nodeLifecycle.ts', 'Toleration', ['tolerationSeconds']),
  ...reads('model/taints.ts', 'Taint', ['key', 'value', 'effect']),
  ...reads('scheduler/plugins/podTopologySpread.ts', 'TopologySpreadConstraint', ['maxSkew', 'topologyKey', 'whenUnsatisfiable', 'minDomains', 'nodeAffinityPolicy', 'nodeTaintsPolicy', 'matchLabelKeys']),
  ...reads('model/labelSelector.ts', 'LabelSelector', ['matchLabels', 'matchExpressions[].key', 'matchExpressions[].operator', 'matchExpressions[].values']),

  // --- kinds ---------------------------------------------------------------------------------------
  ...reads('scenario/clusterState.ts', 'Pod', [['status.phase', 'pod.phase']]),
  ...reads('api/workloads.ts', 'ReplicaSet', [['spec.replicas', 'obj.spec.replicas'], ['spec.minReadySeconds', 'obj.spec.minReadySeconds']]),
  ...reads('controllers/statefulSet.ts', 'StatefulSet', [['status.currentRevision', 'status?.currentRevision'], ['status.updateRevision', 'status?.updateRevision']]),
  ...reads('api/workloads.ts', 'Job', [['status.succeeded', 'status?.succeeded'], ['status.failed', 'status?.failed'], ['status.completedIndexes', 'status.completedIndexes']]),
  ...reads('scenario/kube/batch.ts', 'Job', [['status.completionTime', 'status.completionTime'], ['status.conditions[].type', 'c.type'], ['status.conditions[].status', 'c.status']]),
  ...reads('scenario/hpaHold.ts', 'HorizontalPodAutoscaler', [['status.currentReplicas', 'status.currentReplicas'], ['status.desiredReplicas', 'status.desiredReplicas']]),
  ...reads('scenario/kube/extensions.ts', 'Rollout', [
    'spec.replicas', ['spec.workloadRef.kind', 'workloadRef.kind'], ['spec.workloadRef.name', 'workloadRef.name'], ['spec.strategy.canary.maxSurge', 'canary.maxSurge'],
    ['spec.strategy.canary.maxUnavailable', 'canary.maxUnavailable'], 'spec.minReadySeconds', 'spec.revisionHistoryLimit', 'spec.paused',
  ]),
  ...reads('scenario/kube/extensions.ts', 'ScaledObject', [
    ['spec.scaleTargetRef.kind', 'scaleTargetRef.kind'], ['spec.scaleTargetRef.name', 'scaleTargetRef.name'], 'spec.minReplicaCount', ['spec.triggers[].type', 't.type'],
    ['spec.advanced.horizontalPodAutoscalerConfig.name', 'horizontalPodAutoscalerConfig?.name'], ['status.hpaName', 'hpaName'],
  ]),
  // The karpenter: shorthand becomes NodePool and NodeClass manifests (their fields say what is read).
  ...reads('scenario/karpenterShorthand.ts', 'Scenario', [
    ['name', 'p.name'], ['nodeClass.kind', 'c.kind'], ['nodeClass.name', 'c.name'], ['nodeClass.amiFamily', 'c.amiFamily'], ['nodeClass.maxPods', 'c.maxPods'],
    ['requirements[].key', 'p.requirements'], ['requirements[].operator', 'p.requirements'], ['requirements[].values', 'p.requirements'], ['requirements[].minValues', 'p.requirements'],
    ['labels', 'p.labels'], ['limits', 'p.limits'], ['weight', 'p.weight'], ['expireAfter', 'p.expireAfter'], ['terminationGracePeriod', 'p.terminationGracePeriod'],
    ['disruption.consolidationPolicy', 'p.disruption'], ['disruption.consolidateAfter', 'p.disruption'], ['disruption.budgets[].nodes', 'p.disruption'],
    ['disruption.budgets[].schedule', 'p.disruption'], ['disruption.budgets[].duration', 'p.disruption'], ['disruption.budgets[].reasons', 'p.disruption'],
  ], { prefix: 'spec.karpenter.nodePools[].' }),
  // spec.pricing: read into PricingSpec (scenario/pricing.ts), priced by pricing/resolve.ts.
  ...reads('scenario/pricing.ts', 'Scenario', [
    ['region', 'doc.region'], ['priceFile', 'doc.priceFile'], ['spotPriceHistory', 'doc.spotPriceHistory'],
    ['discounts[].name', 'name: d.name'], ['discounts[].kind', 'kind: d.kind'], ['discounts[].percent', 'percent: d.percent'], ['discounts[].pools', 'pools: d.pools'],
    ['discounts[].instanceFamilies', 'd.instanceFamilies'], ['discounts[].instanceTypes', 'd.instanceTypes'], ['discounts[].capacityTypes', 'd.capacityTypes'],
  ], { prefix: 'spec.pricing.' }),
  ...reads('scenario/load.ts', 'Scenario', [
    ['spec.karpenter.startupDelay', 'k.startupDelay'], ['spec.karpenter.spot.priceRatio', 'k.spot.priceRatio'],
    ['spec.karpenter.spot.interruptionsPerNodeDay', 'k.spot.interruptionsPerNodeDay'], ['spec.karpenter.spot.notice', 'k.spot.notice'],
    ['spec.karpenter.featureGates.spotToSpotConsolidation', 'k.featureGates.spotToSpotConsolidation'],
  ]),
  ...reads('controllers/karpenter/nodeClaims.ts', 'NodePool', [
    ['spec.template.metadata.annotations', 'np.annotations'], ['spec.template.spec.taints', 'np.taints'], ['spec.template.spec.startupTaints', 'np.startupTaints'], ['spec.template.spec.terminationGracePeriod', 'terminationGracePeriod'],
  ]),
  ...reads('controllers/karpenter/karpenter.ts', 'NodePool', [['spec.template.spec.expireAfter', 'expireAfter']]),
  ...['NodePool', 'NodeClaim', 'EC2NodeClass', 'AKSNodeClass'].flatMap((kind) => reads('scenario/manifests.ts', kind, ['apiVersion', 'kind'])),
  ...reads('karpenter/nodePools.ts', 'NodePool', [
    ['spec.template.metadata.labels', 'np.labels'], ['spec.template.spec.requirements[].key', 'r.key'], ['spec.template.spec.requirements[].operator', 'r.operator'],
    ['spec.template.spec.requirements[].values', 'r.values'], ['spec.template.spec.requirements[].minValues', 'r.minValues'], ['spec.template.spec.nodeClassRef.group', 'ref.group'],
    ['spec.template.spec.nodeClassRef.kind', 'ref.kind'], ['spec.template.spec.nodeClassRef.name', 'ref.name'], ['spec.weight', 'b.weight'],
  ]),
  ...reads('cli/validate.ts', 'NodePool', [['spec.limits', 'limits']]),
  // Karpenter's disruption (src/karpenter/disruption/, src/controllers/karpenter/disruption.ts).
  ...reads('karpenter/disruption/candidates.ts', 'NodePool', [
    ['spec.disruption.consolidationPolicy', 'consolidationPolicy'], ['spec.disruption.consolidateAfter', 'consolidateAfter'], ['spec.disruption.budgets', 'budgets'],
  ]),
  ...reads('karpenter/budgets.ts', 'NodePool', [
    ['spec.disruption.budgets[].nodes', 'budget.nodes'], ['spec.disruption.budgets[].schedule', 'budget.schedule'], ['spec.disruption.budgets[].duration', 'budget.duration'], ['spec.disruption.budgets[].reasons', 'budget.reasons'],
  ]),
  ...reads('scriptedEvents.ts', 'Scenario', [['nodePoolUpdate', 'nodePoolUpdate'], ['nodeClassUpdate', 'nodeClassUpdate']], EVENT),
  ...reads('controllers/karpenter/karpenterChanges.ts', 'Scenario', [
    ['nodePoolUpdate.nodePool', 'c.name'], ['nodePoolUpdate.labels', 'c.labels'], ['nodePoolUpdate.annotations', 'c.annotations'], ['nodePoolUpdate.taints', 'c.taints'],
    ['nodePoolUpdate.requirements[].key', 'c.requirements'], ['nodePoolUpdate.requirements[].operator', 'c.requirements'], ['nodePoolUpdate.requirements[].values', 'c.requirements'],
    ['nodePoolUpdate.requirements[].minValues', 'c.requirements'], ['nodePoolUpdate.expireAfter', 'c.expireAfter'], ['nodePoolUpdate.terminationGracePeriod', 'c.terminationGracePeriod'],
    ['nodePoolUpdate.consolidationPolicy', 'c.consolidationPolicy'], ['nodePoolUpdate.consolidateAfter', 'c.consolidateAfter'], ['nodePoolUpdate.budgets[].nodes', 'c.budgets'],
    ['nodePoolUpdate.budgets[].schedule', 'c.budgets'], ['nodePoolUpdate.budgets[].duration', 'c.budgets'], ['nodePoolUpdate.budgets[].reasons', 'c.budgets'],
    ['nodeClassUpdate.nodeClass', 'c.name'], ['nodeClassUpdate.amiSelectorTerms', 'c.amiSelectorTerms'], ['nodeClassUpdate.newImage', 'c.newImage'],
  ], EVENT),
  ...reads('karpenter/instanceTypes.ts', 'EC2NodeClass', [['spec.amiFamily', 'amiFamily']]),
  ...reads('scenario/kube/karpenter.ts', 'EC2NodeClass', [['spec.amiSelectorTerms[].alias', 't.alias']]),
  ...['EC2NodeClass', 'AKSNodeClass'].flatMap((kind) => reads('karpenter/instanceTypes.ts', kind, [
    ['spec.kubelet.maxPods', 'kubelet.maxPods'], ['spec.kubelet.systemReserved', 'kubelet.systemReserved'], ['spec.kubelet.kubeReserved', 'kubelet.kubeReserved'],
    ['spec.kubelet.evictionHard', 'kubelet.evictionHardMemoryAvailable'],
  ])),
  ...reads('scenario/kube/karpenter.ts', 'AKSNodeClass', [['spec.maxPods', 'o.spec?.maxPods']]),
  ...reads('cloud/cloudProvider.ts', 'Node', [['status.capacity', 'capacity'], ['status.allocatable', 'allocatable'], 'spec.unschedulable', 'spec.taints']),
  ...reads('cloud/manifestNodes.ts', 'Node', [['spec.providerID', 'providerID']]),
  ...reads('controllers/deployment.ts', 'Deployment', [
    'spec.replicas', ['spec.strategy.type', 'Recreate'], 'spec.strategy.rollingUpdate.maxSurge', 'spec.strategy.rollingUpdate.maxUnavailable', 'spec.minReadySeconds',
    'spec.revisionHistoryLimit', 'spec.paused',
  ]),
  ...reads('controllers/statefulSet.ts', 'StatefulSet', ['spec.replicas', 'spec.podManagementPolicy', ['spec.updateStrategy.type', 'OnDelete'], 'spec.updateStrategy.rollingUpdate.partition', 'spec.minReadySeconds']),
  ...reads('controllers/daemonSet.ts', 'DaemonSet', [['spec.updateStrategy.type', 'RollingUpdate'], 'spec.updateStrategy.rollingUpdate.maxUnavailable']),
  ...reads('controllers/job.ts', 'JobSpec', ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'suspend']),
  ...reads('api/workloads.ts', 'JobSpec', ['completionMode']),
  ...reads('controllers/ttlAfterFinished.ts', 'JobSpec', ['ttlSecondsAfterFinished']),
  ...reads('controllers/cronJob.ts', 'CronJob', [
    'spec.schedule', 'spec.timeZone', 'spec.startingDeadlineSeconds', 'spec.concurrencyPolicy', 'spec.suspend', 'spec.successfulJobsHistoryLimit', 'spec.failedJobsHistoryLimit',
  ]),
  ...reads('controllers/hpa/horizontal.ts', 'HorizontalPodAutoscaler', [
    'spec.minReplicas', 'spec.maxReplicas', ['spec.metrics[].type', 'metric.type'],
    ...['resource', 'containerResource'].flatMap((m): (string | [string, string])[] => [
      [`spec.metrics[].${m}.name`, 'name'], [`spec.metrics[].${m}.target.type`, 'target.type'], `spec.metrics[].${m}.target.averageUtilization`,
      [`spec.metrics[].${m}.target.averageValue`, 'averageValueMilli'],
    ]),
    'spec.metrics[].containerResource.container', ['spec.metrics[].pods.target.type', 'metric.pods.target'], ['spec.metrics[].pods.target.averageValue', 'averageValueMilli'],
    ['spec.metrics[].external.target.type', 'target.type'], ['spec.metrics[].external.target.value', 'valueMilli'], ['spec.metrics[].external.target.averageValue', 'averageValueMilli'],
    ['spec.behavior.scaleUp.tolerance', 'scaleUp?.tolerance'], ['spec.behavior.scaleDown.tolerance', 'scaleDown?.tolerance'],
  ]),
  ...reads('controllers/hpa/normalize.ts', 'HorizontalPodAutoscaler', HPA_RULES),
  ...reads('scenario/kube/autoscaling.ts', 'HorizontalPodAutoscaler', ['spec.targetCPUUtilizationPercentage']),
  ...reads('controllers/hpa/horizontal.ts', 'CrossVersionObjectReference', [['kind', 'scaleTargetRef.kind'], ['name', 'scaleTargetRef.name']]),
  ...reads('controllers/vpa/controller.ts', 'VerticalPodAutoscaler', [
    'spec.updatePolicy.updateMode', 'spec.updatePolicy.minReplicas', 'spec.resourcePolicy.containerPolicies[].containerName',
    ['spec.resourcePolicy.containerPolicies[].mode', 'policy?.mode'], 'spec.resourcePolicy.containerPolicies[].controlledValues',
  ]),
  ...reads('controllers/vpa/recommender.ts', 'VerticalPodAutoscaler', ['minAllowed', 'maxAllowed', 'controlledResources'], { prefix: 'spec.resourcePolicy.containerPolicies[].' }),
  ...reads('api/eviction.ts', 'PodDisruptionBudget', ['spec.minAvailable', 'spec.maxUnavailable', 'spec.unhealthyPodEvictionPolicy']),
  ...reads('api/admission/priority.ts', 'PriorityClass', [['value', 'pc.value'], 'globalDefault', 'preemptionPolicy']),
  ...reads('api/admission/limitRanger.ts', 'LimitRange', [['type', 'item.type'], 'max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'], { prefix: 'spec.limits[].' }),
  ...reads('api/admission/resourceQuota.ts', 'ResourceQuota', [['spec.hard', 'spec.hard'], ['spec.scopes', 'spec.scopes']]),
];

/** An autoscaling/v2 item of the shorthand's `hpa.metrics` (`type: Resource`, ...) goes into the
 *  generated HPA as it is (scenario/shorthand.ts): its fields are read as the HPA's are. */
const HPA_METRIC = 'HorizontalPodAutoscaler spec.metrics[].';
export const SIMULATED: readonly SimulatedField[] = [
  ...LISTED,
  ...LISTED.filter((f) => f.field.startsWith(HPA_METRIC)).map((f) => ({ field: `Scenario spec.workloads[].hpa.metrics[].${f.field.slice(HPA_METRIC.length)}`, readBy: 'scenario/shorthand.ts', token: 'm.type !== undefined' })),
];
