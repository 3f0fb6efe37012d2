// Karpenter's disruption in a run (kubernetes-sigs/karpenter@2266468104f3):
//   pkg/controllers/disruption/controller.go  Reconcile every 10 s (pollingPeriod) and at once
//     after a command started: Emptiness, Drift, multi-node, single-node consolidation; the
//     first method with a command wins (decisions: src/karpenter/disruption/)
//   emptiness.go / consolidation.go           the 15 s validation wait (commandValidationDelay)
//     before a consolidation command starts, then validation.go's checks again
//   queue.go                                  StartCommand: candidates marked for deletion and
//     tainted karpenter.sh/disrupted:NoSchedule, replacements launched ("Launching NodeClaim"),
//     then, once every replacement is initialized, the candidates deleted ("Disrupting Node");
//     a replacement not initialized within 10 minutes (minRetryDuration) fails the command:
//     candidates unmarked and untainted
//   pkg/controllers/nodeclaim/disruption/     the Drifted and Consolidatable conditions
//   pkg/controllers/nodeclaim/podevents/      lastPodEventTime (pod bound, terminal or
//     terminating on the node; at most once per 10 s)
//   pkg/events/recorder.go                    dedupe: 2 min by default, Unconsolidatable 15 min,
//     NodePool blocked 1 min
// Events go on the Node (upstream also repeats them on the NodeClaim, which has the same name
// here). Scripted NodePool / NodeClass changes (the drift preview) are applied here at their time
// (karpenterChanges.ts).
import type { Pod } from '../../model/pod.ts';
import type { KarpenterDisruptionSummary } from '../../outputs/summary.ts';
import type { KarpenterInput } from '../../model/karpenter.ts';
import type { Node } from '../../model/node.ts';
import { nodeObjectRef } from '../../model/node.ts';
import { pdbStatus } from '../../api/eviction.ts';
import { Phase } from '../../phases.ts';
import type { PdbLimit } from '../../karpenter/disruptionCost.ts';
import { withGpuMilli, type ResourceVector } from '../../karpenter/podRequirements.ts';
import { resolveNodePools } from '../../karpenter/nodePools.ts';
import type { ClaimState, Command, DisruptionEvent, DisruptionSnapshot } from '../../karpenter/disruption/types.ts';
import { decision } from '../../karpenter/disruption/types.ts';
import { CONSOLIDATION_STATE_TTL_MS, METHODS, type MethodName, consolidationFingerprint } from '../../karpenter/disruption/disrupt.ts';
import { emptiness, multiNodeConsolidation, rejectedEvents, singleNodeConsolidation, estimatedSavings } from '../../karpenter/disruption/consolidation.ts';
import { drift, driftReason, driftTarget, nodeClassHash, nodePoolHash, resolvedImage, type DriftTarget } from '../../karpenter/disruption/drift.ts';
import type { ResolvedNodePool } from '../../karpenter/nodePools.ts';
import { COMMAND_VALIDATION_DELAY_MS, validateCommand } from '../../karpenter/disruption/validate.ts';
import { DISRUPTED_TAINT, type NodeClaim, type NodeClaims } from './nodeClaims.ts';
import type { KarpenterParts } from './parts.ts';
import type { Provisioner } from './provisioner.ts';
import { applyChange, type KarpenterChangeLog } from './karpenterChanges.ts';

export const POLLING_PERIOD_MS = 10_000;
/** The nodeclaim drift controller's requeue (RequeueAfter 5 minutes). */
const DRIFT_RECHECK_MS = 5 * 60_000;
/** queue.go minRetryDuration: how long a command waits for its replacements. */
export const REPLACEMENT_TIMEOUT_MS = 10 * 60_000;
/** podevents dedupeTimeout. */
const POD_EVENT_DEDUPE_MS = 10_000;
const DEDUPE_MS: Readonly<Record<string, number>> = { Unconsolidatable: 15 * 60_000, NodePoolBlocked: 60_000 };
const DEFAULT_DEDUPE_MS = 120_000;

/** What disruption remembers per NodeClaim (its launch-time hashes, conditions, pod events). */
interface ClaimMemo {
  nodePoolHash: string;
  nodeClassHash: string;
  image: string;
  expireAfter: string;
  terminationGracePeriod: string | null;
  driftedSinceMs: number | null;
  driftReason: string | null;
  lastPodEventMs: number | null;
}

interface InFlight {
  cmd: Command;
  method: MethodName;
  candidates: NodeClaim[];
  replacements: NodeClaim[];
  startMs: number;
}

export type DisruptionSummary = KarpenterDisruptionSummary;

function bump(m: Record<string, number>, k: string, n = 1): void {
  m[k] = (m[k] ?? 0) + n;
}

/** cases.Title of a reason ("Underutilized", "Drifted"). */
function title(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

function vectorOf(list: Node['allocatable'], pods: number): ResourceVector {
  const v: ResourceVector = { cpu: list.cpuMilli, memory: list.memoryBytes, pods };
  for (const [k, n] of Object.entries(list.scalar)) v[k] = n;
  return v;
}

export class Disruption {
  private readonly memo = new Map<NodeClaim, ClaimMemo>();
  private readonly inFlight: InFlight[] = [];
  private readonly consolidated = new Map<MethodName, { fp: string; atMs: number }>();
  private readonly lastEvent = new Map<string, number>();
  private validating = false;
  private readonly multiMemo = { key: '' };
  /** Drift targets of the NodePools as they are now (recomputed when parts.pools is replaced). */
  private targets: { pools: readonly ResolvedNodePool[]; byPool: Map<ResolvedNodePool, DriftTarget> } = { pools: [], byPool: new Map() };
  private readonly driftChecked = new WeakMap<NodeClaim, { pools: readonly ResolvedNodePool[]; atMs: number }>();
  private pollHandle: number | null = null;
  readonly changes: KarpenterChangeLog;
  readonly stats: DisruptionSummary = {
    commands: {}, nodesDisrupted: {}, replacementsLaunched: 0, validationFailures: {}, commandsFailed: 0, estimatedSavingsUsdPerHour: 0, drifted: {},
  };

  constructor(
    private readonly parts: KarpenterParts,
    private readonly nodeClaims: NodeClaims,
    private readonly provisioner: Provisioner,
    private readonly input: KarpenterInput,
  ) {
    this.changes = { imageReleases: new Map(), input: { ...input, nodePools: [...input.nodePools], nodeClasses: [...input.nodeClasses] } };
    const podEvent = (pod: Pod) => {
      const node = pod.node;
      if (!node || pod.owner?.kind === 'DaemonSet') return;
      const claim = this.nodeClaims.byNode(node);
      if (!claim) return;
      const m = this.memoOf(claim);
      const now = this.parts.clock.nowMs;
      if (m.lastPodEventMs !== null && now - m.lastPodEventMs < POD_EVENT_DEDUPE_MS) return;
      m.lastPodEventMs = now;
    };
    parts.api.addListener({ podBound: podEvent, podFinished: podEvent, podTerminating: podEvent });
    nodeClaims.listen((claim, what) => {
      if (what === 'initialized') this.replacementReady();
      if (what === 'terminated') {
        this.memo.delete(claim);
      }
    });
  }

  start(): void {
    for (const change of this.input.changes ?? []) {
      if (change.atMs > this.parts.durationMs) continue;
      this.parts.clock.schedule(change.atMs, Phase.Script, () => this.applyChange(change));
    }
    this.pollHandle = this.parts.clock.schedule(0, Phase.Controller, () => this.poll());
  }

  summary(): DisruptionSummary {
    const sorted = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));
    return {
      ...this.stats, commands: sorted(this.stats.commands), nodesDisrupted: sorted(this.stats.nodesDisrupted),
      validationFailures: sorted(this.stats.validationFailures), drifted: sorted(this.stats.drifted),
      estimatedSavingsUsdPerHour: Math.round(this.stats.estimatedSavingsUsdPerHour * 1e6) / 1e6,
    };
  }

  // --- cluster state -------------------------------------------------------------------------

  /** The NodeClaim's memo, made at first sight from its NodePool and NodeClass as they are now. */
  private memoOf(claim: NodeClaim): ClaimMemo {
    let m = this.memo.get(claim);
    if (!m) {
      const pool = this.nodeClaims.pool(claim.nodePool);
      const np = pool?.nodePool;
      const nc = pool?.nodeClass ?? null;
      m = {
        nodePoolHash: np ? nodePoolHash(np) : '', nodeClassHash: nodeClassHash(nc),
        image: resolvedImage(nc, nc ? this.changes.imageReleases.get(nc.name) ?? 0 : 0),
        expireAfter: np?.expireAfter ?? 'Never', terminationGracePeriod: np?.terminationGracePeriod ?? null,
        driftedSinceMs: null, driftReason: null, lastPodEventMs: null,
      };
      this.memo.set(claim, m);
    }
    return m;
  }

  /** The nodeclaim disruption controller's Drifted condition (expiration is karpenter.ts's). */
  private observe(): void {
    const now = this.parts.clock.nowMs;
    const pools = this.parts.pools;
    if (this.targets.pools !== pools) this.targets = { pools, byPool: new Map() };
    for (const claim of this.nodeClaims.list()) {
      const m = this.memoOf(claim);
      // The nodeclaim drift controller reconciles on a NodePool or NodeClass change, else every 5 minutes.
      const last = this.driftChecked.get(claim);
      if (last && last.pools === pools && now - last.atMs < DRIFT_RECHECK_MS) continue;
      this.driftChecked.set(claim, { pools, atMs: now });
      const pool = this.nodeClaims.pool(claim.nodePool);
      if (pool) {
        let target = this.targets.byPool.get(pool);
        if (!target) {
          target = driftTarget({ nodePool: pool.nodePool, nodeClass: pool.nodeClass, imageReleases: pool.nodeClass ? this.changes.imageReleases.get(pool.nodeClass.name) ?? 0 : 0 });
          this.targets.byPool.set(pool, target);
        }
        const reason = driftReason({ ...m, labels: claim.node.labels }, target);
        if (reason !== null && m.driftedSinceMs === null) {
          m.driftedSinceMs = now;
          m.driftReason = reason;
          bump(this.stats.drifted, reason);
          this.parts.api.emit('Drifted', `NodeClaim/-/${claim.name}`, claim.node.name, `NodeClaim drifted (${reason})`, 'karpenter');
        } else if (reason === null && m.driftedSinceMs !== null) {
          m.driftedSinceMs = null;
          m.driftReason = null;
        }
      }
    }
  }

  /** The PDBs as the snapshot is taken. disruptionsAllowed (a scan of every pod) is computed when
   *  first read, which is within the same synchronous pass as the snapshot (nothing changes
   *  between): a pass whose methods are all skipped reads none. */
  private pdbs(): PdbLimit[] {
    const { api } = this.parts;
    return [...api.podDisruptionBudgets.list()].map((p) => {
      let allowed: number | null = null;
      return {
        namespace: p.metadata.namespace, name: p.metadata.name, selector: p.spec.selector,
        get disruptionsAllowed() { return (allowed ??= pdbStatus(api, p).disruptionsAllowed); },
        unhealthyPodEvictionPolicy: p.spec.unhealthyPodEvictionPolicy,
      };
    });
  }

  private inQueue(claim: NodeClaim): boolean {
    return this.inFlight.some((f) => f.candidates.includes(claim));
  }

  snapshot(): DisruptionSnapshot {
    const now = this.parts.clock.nowMs;
    const pools = this.parts.pools;
    const claims: ClaimState[] = [];
    const names = new Set<string>();
    for (const c of this.nodeClaims.list()) {
      if (c.terminatedMs >= 0) continue;
      const m = this.memoOf(c);
      const pool = pools.find((p) => p.nodePool.name === c.nodePool);
      const node = c.node;
      names.add(node.name);
      claims.push({
        name: c.name, nodeName: node.name, nodePool: c.nodePool,
        instanceType: pool?.menu?.entries.find((e) => e.type.name === c.instanceType)?.type ?? null,
        capacityType: c.capacityType, zone: c.zone, priceUsdPerHour: c.priceUsdPerHour,
        labels: node.labels, annotations: node.annotations, taints: node.taints,
        allocatable: withGpuMilli(vectorOf(node.allocatable, node.allocatablePods)), capacity: vectorOf(node.capacity, node.allocatablePods),
        pods: node.info.pods, createdMs: c.createdMs, initializedMs: c.initializedMs >= 0 ? c.initializedMs : null,
        lastPodEventMs: m.lastPodEventMs, ready: node.state === 'Ready',
        deleting: c.markedForDeletion || c.deletingMs >= 0 || this.inQueue(c), nominated: false,
        expireAfter: m.expireAfter, terminationGracePeriod: m.terminationGracePeriod,
        nodePoolHash: m.nodePoolHash, nodeClassHash: m.nodeClassHash, image: m.image,
        driftedSinceMs: m.driftedSinceMs, driftReason: m.driftReason,
      });
    }
    // Nodes Karpenter does not own, as the provisioner sees them (skipped when there are none).
    const others = this.parts.api.schedulerNodes().some((info) => !names.has(info.node.name));
    const otherNodes = others ? this.provisioner.existingNodes().filter((n) => !names.has(n.name)) : [];
    return {
      nowMs: now, nodePools: pools, claims, otherNodes, pendingPods: this.provisioner.pendingPods(), pdbs: this.pdbs(),
      daemonSetPods: this.provisioner.daemonSetPods(), spotToSpotConsolidation: this.input.spotToSpotConsolidation ?? false,
    };
  }

  // --- the disruption loop -------------------------------------------------------------------

  private next(delayMs: number): void {
    this.parts.clock.cancel(this.pollHandle);
    if (this.parts.clock.nowMs + delayMs >= this.parts.durationMs) {
      this.pollHandle = null;
      return;
    }
    this.pollHandle = this.parts.clock.after(delayMs, Phase.Controller, () => this.poll());
  }

  private poll(): void {
    this.pollHandle = null;
    if (this.validating) return;
    this.observe();
    this.runFrom(0);
  }

  private runFrom(first: number): void {
    const snap = this.snapshot();
    const fp = consolidationFingerprint(snap);
    for (let i = first; i < METHODS.length; i++) {
      const m = METHODS[i]!;
      if (m !== 'drift') {
        const c = this.consolidated.get(m);
        if (c && c.fp === fp && snap.nowMs - c.atMs < CONSOLIDATION_STATE_TTL_MS) continue;
      }
      const r = m === 'emptiness' ? emptiness(snap) : m === 'drift' ? drift(snap) : m === 'multi' ? multiNodeConsolidation(snap, this.multiMemo) : singleNodeConsolidation(snap);
      this.publish(r.events);
      if (r.markConsolidated) this.consolidated.set(m, { fp, atMs: snap.nowMs });
      const cmd = r.commands[0];
      if (!cmd) continue;
      if (m === 'drift') {
        this.startCommand(cmd, m);
        this.next(0);
        return;
      }
      // The method waits commandValidationDelay, then validates against the cluster as it is then.
      this.validating = true;
      this.parts.clock.after(COMMAND_VALIDATION_DELAY_MS, Phase.Controller, () => {
        this.validating = false;
        this.observe();
        const v = validateCommand(this.snapshot(), cmd);
        if (v.ok) {
          this.startCommand(v.command, m);
          this.next(0);
          return;
        }
        bump(this.stats.validationFailures, v.failure);
        if (m !== 'emptiness') this.publish(rejectedEvents(cmd, v.failure));
        this.runFrom(i + 1);
      });
      return;
    }
    this.next(POLLING_PERIOD_MS);
  }

  /** Queue.StartCommand. */
  private startCommand(cmd: Command, method: MethodName): void {
    const { api } = this.parts;
    const candidates = cmd.candidates.map((c) => this.nodeClaims.byName(c.claim.name)).filter((c): c is NodeClaim => c !== undefined && c.terminatedMs < 0);
    if (candidates.length === 0) return;
    bump(this.stats.commands, `${method}/${decision(cmd)}`);
    if (cmd.reason === 'Underutilized' || cmd.reason === 'Empty') this.stats.estimatedSavingsUsdPerHour += estimatedSavings(cmd);
    this.nodeClaims.markForDeletion(...candidates);
    for (const c of candidates) api.addTaint(c.node, { ...DISRUPTED_TAINT });
    const replacements: NodeClaim[] = [];
    for (const r of cmd.replacements) {
      const launched = this.nodeClaims.launch({ ...r.plan, instanceTypes: r.instanceTypes }, `replacement, ${cmd.reason}`);
      if (!launched) {
        this.fail({ cmd, method, candidates, replacements, startMs: this.parts.clock.nowMs }, 'a replacement could not launch');
        return;
      }
      this.stats.replacementsLaunched++;
      replacements.push(launched);
      this.emit('DisruptionLaunching', `NodeClaim/-/${launched.name}`, launched.name, `Launching NodeClaim: ${title(cmd.reason)}`);
    }
    const flight: InFlight = { cmd, method, candidates, replacements, startMs: this.parts.clock.nowMs };
    this.inFlight.push(flight);
    if (replacements.length > 0) {
      this.parts.clock.after(REPLACEMENT_TIMEOUT_MS, Phase.Controller, () => {
        if (this.inFlight.includes(flight)) this.fail(flight, 'replacements were not initialized within 10m0s');
      });
    }
    this.replacementReady();
  }

  /** Queue.waitOrTerminate for every command whose replacements are all initialized. */
  private replacementReady(): void {
    for (const f of [...this.inFlight]) {
      const waiting = f.replacements.filter((r) => r.initializedMs < 0);
      for (const r of waiting) this.emit('DisruptionWaitingReadiness', `NodeClaim/-/${r.name}`, r.name, 'Waiting on readiness to continue disruption');
      if (waiting.length > 0) continue;
      this.inFlight.splice(this.inFlight.indexOf(f), 1);
      for (const c of f.candidates) {
        if (c.terminatedMs >= 0) continue;
        bump(this.stats.nodesDisrupted, f.cmd.reason);
        this.emit('DisruptionTerminating', nodeObjectRef(c.node), c.node.name, `Disrupting Node: ${title(f.cmd.reason)}`);
        this.nodeClaims.terminate(c, f.cmd.reason);
      }
    }
  }

  private fail(f: InFlight, why: string): void {
    const i = this.inFlight.indexOf(f);
    if (i >= 0) this.inFlight.splice(i, 1);
    this.stats.commandsFailed++;
    this.nodeClaims.unmark(...f.candidates);
    for (const c of f.candidates) {
      if (c.deletingMs >= 0) continue;
      this.parts.api.removeTaint(c.node, DISRUPTED_TAINT.key);
      this.emit('DisruptionBlocked', nodeObjectRef(c.node), c.node.name, `Disruption command failed, ${why}`);
    }
  }

  // --- scripted changes ----------------------------------------------------------------------

  private applyChange(change: NonNullable<KarpenterInput['changes']>[number]): void {
    // Every NodeClaim's launch-time hashes are taken before the change (first sight is now).
    for (const c of this.nodeClaims.list()) this.memoOf(c);
    const message = applyChange(this.changes, change);
    this.parts.pools = resolveNodePools(this.changes.input);
    this.parts.api.emit('KarpenterChanged', change.nodePool ? `NodePool/-/${change.nodePool.name}` : `EC2NodeClass/-/${change.nodeClass!.name}`, '', message, 'scenario');
    this.observe();
    this.consolidated.clear();
    this.multiMemo.key = '';
  }

  // --- events --------------------------------------------------------------------------------

  private publish(events: readonly DisruptionEvent[]): void {
    for (const e of events) {
      if (e.object.startsWith('NodeClaim/')) continue; // the same message is on the Node
      const [kind, name] = e.object.split('/') as [string, string];
      const object = `${kind}/-/${name}`;
      const node = kind === 'Node' ? name : '';
      const dedupeClass = kind === 'NodePool' && e.reason === 'DisruptionBlocked' ? 'NodePoolBlocked' : e.reason;
      const keyExtra = e.reason === 'ConsolidationCandidate' || e.reason === 'ConsolidationRejected' ? e.message : '';
      this.emit(e.reason, object, node, e.message, DEDUPE_MS[dedupeClass] ?? DEFAULT_DEDUPE_MS, keyExtra);
    }
  }

  private emit(reason: string, object: string, node: string, message: string, dedupeMs = DEFAULT_DEDUPE_MS, keyExtra = reason === 'DisruptionLaunching' || reason === 'DisruptionTerminating' ? message : ''): void {
    const now = this.parts.clock.nowMs;
    const key = `${reason}|${object}|${keyExtra}`;
    const last = this.lastEvent.get(key);
    if (last !== undefined && now - last < dedupeMs) return;
    this.lastEvent.set(key, now);
    this.parts.api.emit(reason, object, node, message, 'karpenter');
  }
}
