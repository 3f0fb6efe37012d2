// The default scheduler profile (apis/config/v1/default_plugins.go, reference §4.4): filter
// order as upstream runs them, score plugins with their default weights. ImageLocality is left
// out: images are not modelled, so it would score 0 everywhere. GpuShare is not upstream's: the
// filter of a GPU-share scheduler (plugins/gpuShare.ts), after NodeResourcesFit; it skips pods
// asking for no GPU.
import type { Profile } from './algorithm.ts';
import { GpuShare } from './plugins/gpuShare.ts';
import { InterPodAffinity } from './plugins/interPodAffinity.ts';
import { NodeAffinity } from './plugins/nodeAffinity.ts';
import { NodeName } from './plugins/nodeName.ts';
import { NodePorts } from './plugins/nodePorts.ts';
import { NodeResourcesBalancedAllocation } from './plugins/nodeResourcesBalancedAllocation.ts';
import type { ScoringStrategy } from './plugins/nodeResourcesFit.ts';
import { NodeResourcesFit, NodeResourcesFitScore } from './plugins/nodeResourcesFit.ts';
import { NodeUnschedulable } from './plugins/nodeUnschedulable.ts';
import { PodTopologySpread } from './plugins/podTopologySpread.ts';
import { TaintToleration } from './plugins/taintToleration.ts';

export interface ProfileOptions {
  scoringStrategy?: ScoringStrategy;
  percentageOfNodesToScore?: number;
}

export function defaultProfile(options: ProfileOptions = {}): Profile {
  const nodeAffinity = new NodeAffinity();
  const taintToleration = new TaintToleration();
  const podTopologySpread = new PodTopologySpread();
  const interPodAffinity = new InterPodAffinity();
  return {
    filters: [new NodeUnschedulable(), new NodeName(), taintToleration, nodeAffinity, new NodePorts(), new NodeResourcesFit(), new GpuShare(), podTopologySpread, interPodAffinity],
    scores: [
      { plugin: taintToleration, weight: 3 },
      { plugin: nodeAffinity, weight: 2 },
      { plugin: podTopologySpread, weight: 2 },
      { plugin: interPodAffinity, weight: 2 },
      { plugin: new NodeResourcesFitScore(options.scoringStrategy ?? 'LeastAllocated'), weight: 1 },
      { plugin: new NodeResourcesBalancedAllocation(), weight: 1 },
    ],
    percentageOfNodesToScore: options.percentageOfNodesToScore ?? 0,
  };
}
