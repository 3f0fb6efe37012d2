// The kubelets' part of the pod lifecycle: admit a bound pod and start its containers, report
// Ready after the startup delay, finish a graceful termination, and stop acting while the node is
// down. Usage, throttling, OOM kills and evictions are the resource side (usageEngine.ts and the
// modules beside it); its eviction manager is also an admission handler.
import type { EventHandle } from '../engine/simulation.ts';
import type { Node } from '../model/node.ts';
import type { Pod } from '../model/pod.ts';
import { Phase } from '../phases.ts';
import { RestartBackoff } from './backoff.ts';
import type { ClusterListener, ApiServer } from '../api/apiServer.ts';

export interface PodTiming {
  /** Container start -> Ready. */
  startupDelayMs(pod: Pod): number;
  /** deletionTimestamp -> containers stopped and the pod gone (at most the grace period). */
  shutdownDelayMs(pod: Pod): number;
  /** How long a run-to-completion pod (a Job's) runs once started; null for pods that serve
   *  until deleted. Drawn again at every (re)start. */
  runDurationMs?(pod: Pod): number | null;
}

/** Default timing: Ready after the longest readinessProbe initialDelaySeconds (0 without probes);
 *  termination takes the whole terminationGracePeriodSeconds, the upper bound upstream allows. */
export const manifestTiming: PodTiming = {
  startupDelayMs: (pod) => 1000 * Math.max(0, ...pod.spec.containers.map((c) => c.readinessDelaySeconds ?? 0)),
  shutdownDelayMs: (pod) => 1000 * pod.spec.terminationGracePeriodSeconds,
};

/** lifecycle.PodAdmitResult: a refused pod fails with this reason and message. */
export type PodAdmitResult = { admit: true } | { admit: false; reason: string; message: string };

/** lifecycle.PodAdmitHandler: asked before a new pod's containers start on its node. */
export interface PodAdmitHandler {
  admit(pod: Pod, node: Node): PodAdmitResult;
}

export class Kubelet implements ClusterListener {
  private readonly timers = new Map<number, EventHandle>();
  private readonly backoff = new RestartBackoff();
  /** Containers restarted so far (summary pods.restarts). */
  restarts = 0;
  /** The usage model's hooks: a container (re)started; a machine went down. */
  onContainerStarted: (pod: Pod, containerIndex: number) => void = () => {};
  onNodeDown: (node: Node) => void = () => {};
  /** When a Job pod's containers exit successfully. */
  private readonly completions = new Map<number, EventHandle>();
  private readonly admitHandlers: PodAdmitHandler[] = [];

  constructor(
    private readonly cluster: ApiServer,
    private readonly timing: PodTiming,
  ) {
    cluster.addListener(this);
  }

  podBound(pod: Pod): void {
    if (kubeletRunning(pod.node)) this.start(pod);
  }

  podTerminating(pod: Pod): void {
    this.clearTimer(pod);
    if (kubeletRunning(pod.node)) this.finishTermination(pod);
  }

  podFinished(pod: Pod): void {
    this.clearTimer(pod);
  }

  podRemoved(pod: Pod): void {
    this.clearTimer(pod);
  }

  /** A node back from NotReady: its kubelet resumes what it had to do. */
  nodeUpdated(node: Node): void {
    if (!kubeletRunning(node)) {
      for (const pod of node.info.pods) this.clearTimer(pod);
      return;
    }
    for (const pod of node.info.pods.slice()) {
      if (this.timers.has(pod.uid)) continue;
      if (pod.deletionMs >= 0) this.finishTermination(pod);
      else if (pod.startedMs < 0) this.start(pod);
      else if (!pod.ready) this.cluster.setPodReady(pod, true);
    }
  }

  addAdmitHandler(handler: PodAdmitHandler): void {
    this.admitHandlers.push(handler);
  }

  /** canAdmitPod, then the containers start; a refused pod fails before it runs (rejectPod:
   *  phase Failed with the handler's reason), and its controller replaces it. */
  private start(pod: Pod): void {
    for (const handler of this.admitHandlers) {
      const result = handler.admit(pod, pod.node!);
      if (!result.admit) return this.cluster.finishPod(pod, 'Failed', result.message, result.reason);
    }
    this.cluster.markPodStarted(pod);
    this.afterStart(pod);
  }

  /** Readiness after the startup delay, and a Job pod's run to completion. */
  private afterStart(pod: Pod): void {
    const delay = this.timing.startupDelayMs(pod);
    this.setTimer(pod, delay, () => this.cluster.setPodReady(pod, true));
    const runMs = this.timing.runDurationMs?.(pod) ?? null;
    if (runMs !== null) {
      const handle = this.cluster.sim.after(runMs, Phase.Kubelet, () => {
        this.completions.delete(pod.uid);
        this.cluster.finishPod(pod, 'Succeeded', `Completed after ${Math.round(runMs / 1000)}s`);
      });
      this.completions.set(pod.uid, handle);
    }
  }

  private finishTermination(pod: Pod): void {
    const grace = pod.deletionGraceSeconds ?? pod.spec.terminationGracePeriodSeconds;
    const delay = Math.min(this.timing.shutdownDelayMs(pod), 1000 * grace);
    this.setTimer(pod, delay, () => this.cluster.removePod(pod));
  }

  private setTimer(pod: Pod, delayMs: number, action: () => void): void {
    this.clearTimer(pod);
    const handle = this.cluster.sim.after(delayMs, Phase.Kubelet, () => {
      this.timers.delete(pod.uid);
      action();
    });
    this.timers.set(pod.uid, handle);
  }

  /** The machine failed: every container on it stops at once, whatever the API still shows, and
   *  the node's Lease is no longer renewed. */
  nodeDown(node: Node): void {
    for (const pod of node.info.pods) this.clearTimer(pod);
    this.onNodeDown(node);
    this.cluster.setLeaseRenewing(node, false);
  }

  /** The machine is back: the kubelet renews its Lease again and posts Ready if the node was
   *  marked NotReady; back before anyone noticed, it just resumes what it had to do. */
  nodeUp(node: Node): void {
    this.cluster.setLeaseRenewing(node, true);
    if (node.state === 'NotReady') this.cluster.markNodeReady(node);
    else this.nodeUpdated(node);
  }

  /** A container died (OOMKilled). restartPolicy Never: the pod fails. Otherwise it restarts in
   *  place after the CrashLoopBackOff delay and the pod is Ready again after its startup delay. */
  containerExited(pod: Pod, containerIndex: number, containerName: string, reason: string): void {
    // A pod already terminating is not restarted; its termination timer must keep running.
    if (pod.deletionMs >= 0) return;
    this.clearTimer(pod);
    this.cluster.setPodReady(pod, false);
    if (pod.spec.restartPolicy === 'Never') {
      this.cluster.finishPod(pod, 'Failed', `Container ${containerName} terminated: ${reason}`);
      return;
    }
    const key = `${pod.uid}/${containerName}`;
    const failedAt = this.cluster.nowMs;
    const delay = this.backoff.delayAfterFailure(key, failedAt);
    if (delay > 0) {
      this.cluster.emit('BackOff', `Pod/${pod.namespace}/${pod.name}`, pod.node?.name ?? '', `Back-off ${delay / 1000}s restarting failed container ${containerName} in pod ${pod.name}`);
    }
    this.setTimer(pod, delay, () => {
      if (pod.deletionMs >= 0 || !kubeletRunning(pod.node)) return;
      this.backoff.restarted(key, failedAt, this.cluster.nowMs);
      this.cluster.markPodRestarted(pod);
      this.restarts++;
      this.cluster.emit('Started', `Pod/${pod.namespace}/${pod.name}`, pod.node?.name ?? '', `Restarted container ${containerName} (restart ${pod.restarts})`);
      this.onContainerStarted(pod, containerIndex);
      this.afterStart(pod);
    });
  }

  private clearTimer(pod: Pod): void {
    const completion = this.completions.get(pod.uid);
    if (completion !== undefined) {
      this.cluster.sim.cancel(completion);
      this.completions.delete(pod.uid);
    }
    const handle = this.timers.get(pod.uid);
    if (handle !== undefined) {
      this.cluster.sim.cancel(handle);
      this.timers.delete(pod.uid);
    }
  }
}

function kubeletRunning(node: Node | null): boolean {
  return node !== null && node.state === 'Ready' && !node.down;
}
