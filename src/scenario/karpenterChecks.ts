// What a scenario's Karpenter objects lack that a user would want to know before trusting a
// result: the warnings `capsim validate`, a run's output and the report print (code
// karpenter-nodepool): a static NodePool (replicas) that capsim does not run. A NodePool whose
// NodeClass the manifests lack, whose
// requirements nothing in the catalog satisfies, that names instance types the catalog lacks,
// allows spot where the catalog has no spot price, asks for more minValues than its menu has, or
// narrows on a well-known label capsim's catalog does not model.
import type { KarpenterInput, KarpenterObject } from '../model/karpenter.ts';
import type { RunWarning } from '../outputs/summary.ts';
import { listInstanceTypes } from '../cost/catalog.ts';
import { resolveNodePools, NODE_CLASS_GROUPS } from '../karpenter/nodePools.ts';
import { didYouMean, type Problems, type Site } from './problems.ts';
import type { ManifestReader } from './manifests.ts';
import { expandKarpenter, type KarpenterShorthand } from './karpenterShorthand.ts';
import { own } from '../model/records.ts';
import { parseBudgetSchedule } from '../karpenter/budgets.ts';
import { parseGoDurationMs } from '../karpenter/goDuration.ts';

/** The `karpenter:` shorthand's NodePools and NodeClasses, read as manifests (after the manifest
 *  files, so that a NodeClass they declare is used rather than generated). */
export function readKarpenterShorthand(k: KarpenterShorthand, reader: ManifestReader, site: Site, problems: Problems): void {
  const { generated, conflicts } = expandKarpenter(k, (kind, name) => reader.karpenter.some((o) => o.kind === kind && o.name === name));
  for (const g of generated) reader.read(g.manifest, { ...site, prefix: ['spec', 'karpenter', 'nodePools', g.entry], generated: { kind: g.kind, mapPath: g.mapPath } });
  for (const i of conflicts) {
    problems.add(site, ['spec', 'karpenter', 'nodePools', i, 'nodeClass'], 'sets amiFamily or maxPods otherwise than an earlier entry naming the same NodeClass', 'give this NodeClass another name, or the same settings');
  }
}

export function karpenterInput(objects: readonly KarpenterObject[]): KarpenterInput {
  const input: KarpenterInput = { nodePools: [], nodeClaims: [], nodeClasses: [] };
  for (const o of objects) {
    if (o.kind === 'NodePool') input.nodePools.push(o);
    else if (o.kind === 'NodeClaim') input.nodeClaims.push(o);
    else input.nodeClasses.push(o);
  }
  return input;
}

export function karpenterWarnings(input: KarpenterInput): RunWarning[] {
  const out: RunWarning[] = [];
  // lifecycle/liveness.go: a NodeClaim not registered 15 minutes after launch is deleted.
  if (input.nodePools.length > 0 && (input.startupDelayMs ?? 0) >= 15 * 60_000) {
    out.push({ code: 'karpenter-nodepool', title: 'startup delay reaches the registration timeout', objects: ['spec.karpenter.startupDelay'], message: `spec.karpenter.startupDelay is ${input.startupDelayMs! / 60_000} minutes: Karpenter deletes a NodeClaim whose node has not registered 15 minutes after launch (registration_timeout) and launches another, so no Karpenter node ever becomes Ready and its pods stay pending. capsim registers a node when it is Ready; a real node registers before it is Ready, so if yours take this long to be Ready but register sooner, set the startup delay below 15m.` });
  }
  for (const r of resolveNodePools(input)) {
    const np = r.nodePool;
    const ref = `NodePool/-/${np.name}`;
    const at = `${np.source.file}:${np.source.line}`;
    const warn = (title: string, message: string, objects: string[] = [ref]) => out.push({ code: 'karpenter-nodepool', title, objects, message: `${ref} (${at}): ${message}` });
    const cls = np.nodeClassRef;
    if (!r.nodeClass) {
      const known = own(NODE_CLASS_GROUPS, cls.group);
      warn('NodePool without its NodeClass', `its nodeClassRef names ${cls.kind} ${cls.name} (group ${cls.group}), which is not in the manifests: Karpenter would not launch from it (NodeClassReady false). ${known ? `Its menu below uses the ${known.provider} catalog without the NodeClass's kubelet settings.` : 'capsim has no catalog for that group, so no menu either.'} Include ${known ? `${known.kind.toLowerCase()}es` : 'the NodeClasses'} in the dump (kubectl get ${known ? `${known.kind.toLowerCase()}es.${cls.group}` : 'ec2nodeclasses'} -o yaml).`);
    }
    // A budget whose schedule or duration upstream cannot use is misconfigured, and a
    // misconfigured budget makes Karpenter allow 0 disruptions for every reason of the NodePool
    // (kubernetes-sigs/karpenter@2266468104f3 pkg/apis/v1/nodepool.go MustGetAllowedDisruptions):
    // consolidation, drift and emptiness stop without a word. The CRD's own regex lets some through.
    np.disruption.budgets.forEach((b, i) => {
      const problems: string[] = [];
      if (b.schedule !== undefined) {
        try {
          parseBudgetSchedule(b.schedule);
        } catch (error) {
          problems.push(`schedule "${b.schedule}": ${(error as Error).message}`);
        }
      }
      if (b.duration !== undefined) {
        try {
          parseGoDurationMs(b.duration);
        } catch (error) {
          problems.push(`duration "${b.duration}": ${(error as Error).message}`);
        }
      }
      if (problems.length > 0) {
        warn('disruption budget unusable', `its spec.disruption.budgets[${i}] cannot be used (${problems.join('; ')}): Karpenter treats a misconfigured budget as allowing 0 disruptions, so it would never consolidate, expire or replace drifted nodes of this NodePool. Days of the week are 0-6, a schedule takes no TZ= (it is UTC), and a macro (@daily) stands alone.`);
      }
    });
    if (np.replicas !== null) {
      warn('static NodePool not simulated', `it is a static NodePool (replicas: ${np.replicas}): capsim does not launch or keep its ${np.replicas} node${np.replicas === 1 ? '' : 's'}, and the provisioner does not use it for pods; the run has none of its capacity or cost. Declare its nodes as a node pool (spec.cluster.nodePools) to count them.`);
      continue;
    }
    if (!r.provider || !r.menu) continue;
    const catalog = listInstanceTypes().filter((t) => t.provider === r.provider).map((t) => t.name);
    if (r.unknownInstanceTypes.length > 0) {
      const hints = r.unknownInstanceTypes.map((v) => { const close = didYouMean(v, catalog); return close ? `${v} (${close})` : v; });
      warn('instance types not in the catalog', `its requirements name instance type${hints.length === 1 ? '' : 's'} capsim's catalog lacks for ${r.provider}: ${hints.join(', ')}; they are left out of its menu (capsim catalog lists the ones it has).`);
    }
    if (r.menu.entries.length === 0) {
      warn('NodePool allows no instance type', `no instance type of capsim's ${r.provider} catalog (${catalog.length} types) satisfies its requirements, so Karpenter could launch nothing from it. Loosen its requirements, or check them against capsim catalog --provider ${r.provider}.`);
      continue;
    }
    if (r.menu.spotWithoutPrice) {
      warn('spot allowed, no spot price', `it allows karpenter.sh/capacity-type spot, but capsim's catalog has no spot price for ${r.provider} (no dated public table), so its menu has on-demand offerings only; Karpenter would launch spot first where spot is offered.`);
    }
    for (const m of r.menu.minValuesShort) {
      warn('minValues not met', `its requirement on ${m.key} has minValues ${m.minValues}, but the types its requirements allow carry only ${m.available} distinct value${m.available === 1 ? '' : 's'} of it in capsim's catalog: Karpenter would launch nothing from it (or relax minValues with the MinValuesPolicy BestEffort).`);
    }
    if (r.menu.unmodelledKeys.length > 0) {
      warn('requirements on labels capsim does not model', `its requirements on ${r.menu.unmodelledKeys.join(', ')} narrow nothing in capsim's menu: the catalog has no values of ${r.menu.unmodelledKeys.length === 1 ? 'that label' : 'those labels'}, so the menu may hold types Karpenter would not launch.`);
    }
  }
  return out;
}

/** A NodePool named as a node pool of the scenario (`poolNames`), whose nodes share the pool name
 *  in the outputs. (Disruption, once not simulated and warned about here, now is.) */
export function karpenterNotSimulatedWarnings(input: KarpenterInput, poolNames: readonly string[] = []): RunWarning[] {
  const dynamic = input.nodePools.filter((np) => np.replicas === null);
  if (dynamic.length === 0) return [];
  const shared = dynamic.filter((np) => poolNames.includes(np.name)).map((np) => `NodePool/-/${np.name}`);
  return shared.length === 0 ? [] : [{
    code: 'karpenter-nodepool', title: 'NodePool named as a node pool', objects: shared,
    message: `${shared.join(', ')}: a node pool of spec.cluster.nodePools has the same name, so the outputs (nodes.csv pool, the nodes chart, cost.byPool) add their nodes together; nodes.csv's nodeclaim column tells Karpenter's apart. The cluster autoscaler, if on, leaves Karpenter's nodes alone. Rename one to keep them apart.`,
  }];
}
