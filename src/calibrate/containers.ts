// The containers of the scenario's workloads, from DIR/scenario.yaml read by the real loader
// (src/scenario/load.ts, as `capsim validate` and `capsim run` read it), and a pod's fitted model
// split across them.
//
// The series are per pod (cAdvisor summed over the pod's containers); capsim's usage model is
// per container. A pod's base and perUnit are split across its containers in proportion to their
// requests (CPU by CPU requests, memory by memory requests; equally when none requests any). An
// approximation: a sidecar that idles gets its request's share of the per-unit cost.
import path from 'node:path';
import fs from 'node:fs';
import type { Container } from '../model/pod.ts';
import type { KubeObject } from '../model/objects.ts';
import { objectRef } from '../model/objects.ts';
import { InputError, formatProblem } from '../scenario/errors.ts';

export interface ScenarioWorkloads {
  file: string;
  text: string;
  /** Kind/namespace/name -> containers (spec.containers of its pod template). */
  containers: Map<string, Container[]>;
  /** Kind/namespace/name -> spec.replicas of a Deployment or StatefulSet: the dump's. */
  replicas: Map<string, number>;
}

function templateContainers(o: KubeObject): Container[] | null {
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return o.spec.template.spec.containers;
    case 'CronJob':
      return o.spec.jobTemplate.spec.template.spec.containers;
    case 'Rollout':
      return o.spec.template?.spec.containers ?? null;
    case 'Pod':
      return o.spec.containers;
    default:
      return null;
  }
}

/** DIR/scenario.yaml's workloads, or why they could not be read (absent, or it does not load). */
export async function scenarioWorkloads(dir: string): Promise<ScenarioWorkloads | { problem: string }> {
  const file = path.join(dir, 'scenario.yaml');
  if (!fs.existsSync(file)) return { problem: 'there is no scenario.yaml in the directory (capsim import cluster writes it)' };
  const { loadScenario } = await import('../scenario/load.ts');
  try {
    const scenario = await loadScenario(file);
    const containers = new Map<string, Container[]>();
    const replicas = new Map<string, number>();
    for (const o of scenario.objects) {
      const c = templateContainers(o);
      if (c) containers.set(objectRef(o), c);
      if ((o.kind === 'Deployment' || o.kind === 'StatefulSet') && typeof o.spec.replicas === 'number') replicas.set(objectRef(o), o.spec.replicas);
    }
    return { file, text: fs.readFileSync(file, 'utf8'), containers, replicas };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const first = error.problems[0];
    return { problem: `scenario.yaml does not load (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}; the first: ${first ? formatProblem(first) : error.message})` };
  }
}

/** Each container's share of a pod's CPU (by CPU requests) or memory (by memory requests). */
export function shares(containers: readonly Container[], resource: 'cpu' | 'memory'): number[] {
  const requests = containers.map((c) => Math.max(0, c.requests[resource] ?? 0));
  const total = requests.reduce((a, b) => a + b, 0);
  return total > 0 ? requests.map((r) => r / total) : containers.map(() => 1 / containers.length);
}
