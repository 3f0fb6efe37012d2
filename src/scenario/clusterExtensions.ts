// Custom resources of a cluster's state that hold or scale pods, so that none is dropped silently
// (clusterState.ts runs these passes first):
// - An Argo Rollout runs as the Deployment it wraps: its spec.template (or, with workloadRef, its
//   Deployment's), its replicas and selector; a canary rolls as a Deployment's RollingUpdate with
//   the canary's maxSurge and maxUnavailable (Argo's defaults, 25% each), a blue-green one with
//   maxSurge 100% and maxUnavailable 0 (the new ReplicaSet comes up whole before the old one
//   goes). Steps, pauses, analysis and traffic routing are not simulated, and the report says
//   so. Its ReplicaSets and pods belong to that Deployment; an HPA or VPA targeting the Rollout
//   targets it.
// - A KEDA ScaledObject scales its target through the HPA KEDA generated for it
//   (keda-hpa-<name>), which the cluster's state holds: that HPA is simulated, the ScaledObject
//   says so; without it the workload runs unscaled, with a warning.
// - Karpenter's NodePools and NodeClasses, and KEDA's ScaledJobs, are not simulated (yet): a
//   warning names them, since capacity depends on them.
import type { DeploymentObject, HpaObject, KubeObject, RolloutObject, VpaObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import { notSimulatedKind } from './kube/kinds.ts';
import type { StateContext } from './clusterState.ts';
import { listed } from './clusterStateReport.ts';

export function convertRollouts(ctx: StateContext): void {
  for (const r of ctx.list('Rollout')) {
    const ref = objectRef(r);
    const ns = r.metadata.namespace;
    const name = `Deployment/${ns}/${r.metadata.name}`;
    const skip = (why: string) => {
      ctx.replace(r, null);
      ctx.decide(ref, r.source, 'skipped', why);
      ctx.warn({ code: 'kind-not-simulated', title: 'Rollout not simulated', objects: [ref], message: `${ref} is not simulated: ${why}. Its ReplicaSets and pods run unmanaged (bare pods that nothing replaces or scales).` });
    };
    const workloadRef = r.spec.workloadRef;
    let wrapped: DeploymentObject | undefined;
    if (workloadRef) {
      const target = ctx.byRef.get(`${workloadRef.kind}/${ns}/${workloadRef.name}`);
      if (workloadRef.kind !== 'Deployment') {
        skip(`its workloadRef names a ${workloadRef.kind}; capsim runs a Rollout as the Deployment it points at`);
        continue;
      }
      if (target?.kind !== 'Deployment') {
        skip(`its workloadRef names Deployment ${workloadRef.name}, which is not in the manifests`);
        continue;
      }
      wrapped = target;
    }
    const template = r.spec.template ?? wrapped?.spec.template;
    if (!template) continue; // the schema reported it
    const clash = ctx.byRef.get(name);
    if (clash && clash !== wrapped) {
      skip(`a Deployment of its name is declared too (${clash.source.file}:${clash.source.line})`);
      continue;
    }
    const deployment = rolloutDeployment(r, template, r.spec.selector ?? wrapped?.spec.selector ?? { matchLabels: { ...template.labels } });
    ctx.replace(r, deployment);
    ctx.rollouts.add(`${ns}/${r.metadata.name}`);
    if (!ctx.declared.has(name)) ctx.declared.set(name, { kind: 'Deployment', namespace: ns, name: r.metadata.name, source: r.source });
    if (wrapped && clash === wrapped) {
      ctx.replace(wrapped, null);
      ctx.decide(name, wrapped.source, 'converted', `the workload of ${ref} (workloadRef), of the same name: the two run as one Deployment with the Rollout's ${r.spec.replicas} replicas`);
    }
    ctx.decide(ref, r.source, 'converted', `runs as ${name}${wrapped ? ` with the template of Deployment ${wrapped.metadata.name} (workloadRef)` : ''}; ${strategyText(r)}`);
    retarget(ctx, ns, r.metadata.name);
  }
}

/** The Deployment a Rollout runs as. */
function rolloutDeployment(r: RolloutObject, template: DeploymentObject['spec']['template'], selector: DeploymentObject['spec']['selector']): DeploymentObject {
  const s = r.spec.strategy;
  const strategy: DeploymentObject['spec']['strategy'] = s.type === 'blueGreen'
    ? { type: 'RollingUpdate', maxSurge: '100%', maxUnavailable: 0 }
    : { type: 'RollingUpdate', maxSurge: s.maxSurge ?? '25%', maxUnavailable: s.maxUnavailable ?? '25%' };
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { ...r.metadata },
    source: r.source,
    spec: {
      replicas: r.spec.replicas,
      selector,
      template,
      strategy,
      minReadySeconds: r.spec.minReadySeconds,
      revisionHistoryLimit: r.spec.revisionHistoryLimit,
      progressDeadlineSeconds: 600,
      paused: r.spec.paused,
    },
  };
}

function strategyText(r: RolloutObject): string {
  const s = r.spec.strategy;
  if (s.type === 'canary') {
    return `its canary${s.steps > 0 ? ` steps (${s.steps}), pauses` : ''}, analysis and traffic weights are not simulated: a rollout rolls as a Deployment's RollingUpdate (maxSurge ${s.maxSurge ?? '25%'}, maxUnavailable ${s.maxUnavailable ?? '25%'})`;
  }
  if (s.type === 'blueGreen') return 'its blue-green switch, previews and analysis are not simulated: a rollout brings the new ReplicaSet up whole (maxSurge 100%, maxUnavailable 0) before the old one goes';
  return 'a rollout rolls as a Deployment\'s RollingUpdate';
}

/** An HPA or VPA targeting the Rollout targets the Deployment it runs as. */
function retarget(ctx: StateContext, namespace: string, name: string): void {
  const autoscalers: (HpaObject | VpaObject)[] = [...ctx.list('HorizontalPodAutoscaler'), ...ctx.list('VerticalPodAutoscaler')];
  for (const a of autoscalers) {
    if (a.metadata.namespace !== namespace) continue;
    const target = a.kind === 'HorizontalPodAutoscaler' ? a.spec.scaleTargetRef : a.spec.targetRef;
    if (target.kind === 'Rollout' && target.name === name) target.kind = 'Deployment';
  }
}

export function convertScaledObjects(ctx: StateContext): void {
  for (const so of ctx.list('ScaledObject')) {
    const ref = objectRef(so);
    const ns = so.metadata.namespace;
    const t = so.spec.scaleTargetRef;
    const kind = t.kind === 'Rollout' && ctx.rollouts.has(`${ns}/${t.name}`) ? 'Deployment' : t.kind;
    const target = `${kind}/${ns}/${t.name}`;
    const hpaRef = `HorizontalPodAutoscaler/${ns}/${so.hpaName}`;
    ctx.replace(so, null);
    const triggers = so.spec.triggers.length > 0 ? ` (triggers: ${so.spec.triggers.join(', ')})` : '';
    if (ctx.byRef.get(hpaRef)?.kind === 'HorizontalPodAutoscaler') {
      const zero = so.spec.minReplicaCount === 0 ? '; scaling to zero (minReplicaCount 0) is KEDA\'s own and not simulated: the HPA keeps at least its minReplicas' : '';
      ctx.decide(ref, so.source, 'converted', `scales ${target} through ${hpaRef}, which KEDA generated and the manifests hold: that HPA is simulated${triggers}; a cpu or memory trigger reads the usage model, the others are External metrics, read as the workload's demand${zero}`);
      continue;
    }
    const replicas = replicasOf(ctx.byRef.get(target));
    ctx.decide(ref, so.source, 'skipped', `the HPA KEDA generated for it (${so.hpaName}) is not in the manifests: ${target} runs unscaled`);
    ctx.warn({
      code: 'kind-not-simulated',
      title: 'KEDA ScaledObject without its HPA',
      objects: [ref, target],
      message: `${ref} scales ${target}${triggers} through the HPA KEDA generates for it, ${so.hpaName}, which is not in the manifests: capsim simulates that HPA, not KEDA, so ${target} runs unscaled${replicas === null ? '' : ` at its ${replicas} replica${replicas === 1 ? '' : 's'}`}. Include horizontalpodautoscalers in the dump (kubectl get hpa -A -o yaml).`,
    });
  }
}

function replicasOf(o: KubeObject | undefined): number | null {
  return o && (o.kind === 'Deployment' || o.kind === 'StatefulSet') ? o.spec.replicas : null;
}

/** Skipped custom resources that change capacity (Karpenter, KEDA ScaledJobs): one warning per kind. */
export function notSimulatedKinds(ctx: StateContext): void {
  const byKind = new Map<string, { reason: string; refs: string[] }>();
  for (const [ref, o] of ctx.skipped) {
    const reason = notSimulatedKind(o.apiVersion, o.kind);
    if (reason === undefined) continue;
    ctx.decide(ref, o.source, 'skipped', reason);
    const k = byKind.get(o.kind) ?? { reason, refs: [] };
    k.refs.push(ref);
    byKind.set(o.kind, k);
  }
  for (const [kind, { reason, refs }] of byKind) {
    ctx.warn({ code: 'kind-not-simulated', title: `${kind} not simulated`, objects: refs, message: `${listed(refs)}: ${reason}.` });
  }
}
