// Writes the large benchmark scenario (DESIGN §6: 1,000 nodes, 10,000 pods, 30 days) into a
// scratch directory. Generated rather than committed: 200 workloads are better as a loop.
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';

/** 1,000 nodes, 200 Deployments x 50 replicas (10,000 pods), a rollout a day, 30 days. */
export async function writeLargeScenario(dir: string): Promise<string> {
  return writeThousandNodes(dir, false);
}

/** DESIGN §6 in full: the same with 200 CPU HPAs following a daily demand (opt-in: minutes). */
export async function writeDesignScenario(dir: string): Promise<string> {
  return writeThousandNodes(dir, true);
}

async function writeThousandNodes(dir: string, withHpa: boolean): Promise<string> {
  // Each Deployment starts at 50 replicas; with HPAs, a daily demand that a CPU HPA (70 %)
  // follows between 30 and 80 replicas.
  const workloads = Array.from({ length: 200 }, (_, i) => ({
    name: `svc-${String(i).padStart(3, '0')}`,
    namespace: `team-${i % 20}`,
    replicas: 50,
    containers: [{ name: 'app', resources: { requests: { cpu: '200m', memory: `${256 + (i % 4) * 128}Mi` }, limits: { memory: '1Gi' } } }],
    ...(withHpa ? { hpa: { minReplicas: 30, maxReplicas: 80, metrics: [{ resource: 'cpu', averageUtilization: 70 }] } } : {}),
  }));
  const behavior = !withHpa ? [] : workloads.map((w, i) => ({
    target: `Deployment/${w.namespace}/${w.name}`,
    demand: [{ constant: 6000 }, { daily: { amplitude: 0.35, peakAt: `${String(8 + (i % 12)).padStart(2, '0')}:00` } }],
    usage: { app: { cpu: { base: '20m', perUnit: '1m' }, memory: { base: '200Mi', perUnit: '0Mi' } } },
  }));
  const events = Array.from({ length: 30 }, (_, day) => {
    const i = (day * 7) % 200;
    return { at: `${day}d12h`, rollout: { target: `Deployment/team-${i % 20}/svc-${String(i).padStart(3, '0')}` } };
  });
  const scenario = {
    apiVersion: 'capsim/v1',
    kind: 'Scenario',
    metadata: {
      name: withHpa ? 'design-1000-nodes-200-hpa-30d' : 'large-1000-nodes-30d',
      description: `1,000 nodes, 200 Deployments (~10,000 pods)${withHpa ? ' with CPU HPAs and daily demand' : ''}, a rollout a day, 30 days`,
    },
    spec: {
      seed: 7,
      duration: '30d',
      sampleEvery: '5m',
      cluster: { nodePools: [{ name: 'general', instanceType: 'aws/m5.2xlarge', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], count: 1000 }] },
      workloads,
      behavior,
      events,
    },
  };
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, withHpa ? 'design-1000-nodes-200-hpa-30d.yaml' : 'large-1000-nodes-30d.yaml');
  await fs.writeFile(file, YAML.stringify(scenario));
  return file;
}

/** Issue 3's physics bench: 100 nodes, 40 workloads x 50 pods with daily demand, 30 days at
 *  1-minute samples: every sample moves every workload's load. */
export async function writeDiurnalScenario(dir: string): Promise<string> {
  const workloads = Array.from({ length: 40 }, (_, i) => ({
    name: `web-${String(i).padStart(2, '0')}`,
    namespace: `team-${i % 8}`,
    replicas: 50,
    containers: [{ name: 'app', resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: '400m', memory: '512Mi' } } }],
  }));
  const behavior = workloads.map((w, i) => ({
    target: `Deployment/${w.namespace}/${w.name}`,
    demand: [{ constant: 500 + 20 * i }, { daily: { amplitude: 0.6, peakAt: `${String(10 + (i % 8)).padStart(2, '0')}:00` } }, { noise: { cv: 0.05 } }],
    usage: { app: { cpu: { base: '20m', perUnit: '0.5m' }, memory: { base: '200Mi', perUnit: '0.2Mi', leakPerHour: i % 10 === 0 ? '2Mi' : '0Mi' } } },
  }));
  const scenario = {
    apiVersion: 'capsim/v1',
    kind: 'Scenario',
    metadata: { name: 'diurnal-100-nodes-30d', description: '100 nodes, 40 workloads x 50 pods with daily demand, 30 days at 1-minute samples' },
    spec: {
      seed: 11,
      duration: '30d',
      sampleEvery: '1m',
      cluster: { nodePools: [{ name: 'general', instanceType: 'aws/m5.4xlarge', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], count: 100 }] },
      workloads,
      behavior,
    },
  };
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'diurnal-100-nodes-30d.yaml');
  await fs.writeFile(file, YAML.stringify(scenario));
  return file;
}

/** Issue 5's autoscaling bench: 20 CPU-HPA Deployments whose daily demand swings tenfold, on an
 *  autoscaled m5.xlarge pool that follows them between about 20 and 200 nodes, for 30 days. */
export async function writeAutoscalingScenario(dir: string): Promise<string> {
  const workloads = Array.from({ length: 20 }, (_, i) => ({
    name: `api-${String(i).padStart(2, '0')}`,
    namespace: `team-${i % 4}`,
    replicas: 3,
    containers: [{ name: 'app', resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '3Gi' } } }],
    hpa: { minReplicas: 3, maxReplicas: 40, metrics: [{ resource: 'cpu', averageUtilization: 70 }] },
  }));
  const behavior = workloads.map((w, i) => ({
    target: `Deployment/${w.namespace}/${w.name}`,
    demand: [{ constant: 1000 }, { daily: { amplitude: 0.82, peakAt: `${13 + (i % 3)}:00` } }, { noise: { cv: 0.03 } }],
    usage: { app: { cpu: { base: '20m', perUnit: '10m' }, memory: { base: '1Gi', perUnit: '0Mi' } } },
    startup: { delay: '30s' },
  }));
  const scenario = {
    apiVersion: 'capsim/v1',
    kind: 'Scenario',
    metadata: { name: 'autoscaling-20-200-nodes-30d', description: '20 HPA Deployments with a tenfold daily swing on an autoscaled pool (about 20 to 200 nodes), 30 days' },
    spec: {
      seed: 5,
      duration: '30d',
      sampleEvery: '5m',
      cluster: {
        nodePools: [{ name: 'general', instanceType: 'aws/m5.xlarge', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], count: 20, min: 20, max: 240, provisioningDelay: '90s' }],
        autoscaler: { expander: 'least-waste', maxNodesTotal: 250 },
      },
      workloads,
      behavior,
    },
  };
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'autoscaling-20-200-nodes-30d.yaml');
  await fs.writeFile(file, YAML.stringify(scenario));
  return file;
}

/** Issue 17's Karpenter speed case: scenarios/karpenter-diurnal.yaml (a week, one NodePool
 *  consolidating WhenEmptyOrUnderutilized after 1m) with its four services scaled up tenfold —
 *  ten times the demand constants and maxReplicas — so Karpenter runs about 100-200 nodes. */
export async function writeKarpenterScenario(dir: string): Promise<string> {
  const root = path.resolve(import.meta.dirname, '..', 'scenarios');
  const scenario = YAML.parse(await fs.readFile(path.join(root, 'karpenter-diurnal.yaml'), 'utf8'));
  const docs = YAML.parseAllDocuments(await fs.readFile(path.join(root, 'ca-diurnal', 'services.yaml'), 'utf8')).map((d) => d.toJS());
  for (const doc of docs) if (doc.kind === 'HorizontalPodAutoscaler') doc.spec.maxReplicas *= 10;
  for (const b of scenario.spec.behavior) for (const d of b.demand) if ('constant' in d) d.constant *= 10;
  scenario.metadata = { name: 'karpenter-diurnal-x10-7d', description: "karpenter-diurnal's four HPA services at ten times the demand and maxReplicas (about 100-200 Karpenter nodes), 7 days" };
  scenario.spec.manifests = ['karpenter-diurnal-x10/services.yaml'];
  await fs.mkdir(path.join(dir, 'karpenter-diurnal-x10'), { recursive: true });
  await fs.writeFile(path.join(dir, 'karpenter-diurnal-x10', 'services.yaml'), docs.map((d) => YAML.stringify(d)).join('---\n'));
  const file = path.join(dir, 'karpenter-diurnal-x10-7d.yaml');
  await fs.writeFile(file, YAML.stringify(scenario));
  return file;
}

/** Issue 18's bigger month: 500 Deployments with CPU HPAs following a daily demand (about 50,000
 *  pods at the daily mean, 40,000-60,000 over the day) on one autoscaled m5.xlarge pool that the
 *  cluster autoscaler runs at about 4,000-5,500 nodes, for 7 days at 10-minute samples. A pod asks
 *  350m of an m5.xlarge's 3,920m allocatable, so eleven fit a node. */
export async function writeBigScenario(dir: string): Promise<string> {
  // Each Deployment starts at 100 replicas; a CPU HPA (70 % of 350m = 245m a pod) follows a daily
  // demand of 22,500 units ±20 %: 20m + 1m × 22,500 / 100 = 245m at 100 replicas, so 80-120.
  const workloads = Array.from({ length: 500 }, (_, i) => ({
    name: `svc-${String(i).padStart(3, '0')}`,
    namespace: `team-${i % 50}`,
    replicas: 100,
    containers: [{ name: 'app', resources: { requests: { cpu: '350m', memory: `${512 + (i % 4) * 128}Mi` }, limits: { memory: '2Gi' } } }],
    hpa: { minReplicas: 60, maxReplicas: 150, metrics: [{ resource: 'cpu', averageUtilization: 70 }] },
  }));
  const behavior = workloads.map((w, i) => ({
    target: `Deployment/${w.namespace}/${w.name}`,
    demand: [{ constant: 22500 }, { daily: { amplitude: 0.2, peakAt: `${String(10 + (i % 8)).padStart(2, '0')}:00` } }],
    usage: { app: { cpu: { base: '20m', perUnit: '1m' }, memory: { base: '400Mi', perUnit: '0Mi' } } },
  }));
  const events = Array.from({ length: 7 }, (_, day) => {
    const i = (day * 71) % 500;
    return { at: `${day}d12h`, rollout: { target: `Deployment/team-${i % 50}/svc-${String(i).padStart(3, '0')}` } };
  });
  const scenario = {
    apiVersion: 'capsim/v1',
    kind: 'Scenario',
    metadata: {
      name: 'big-5000-nodes-500-hpa-7d',
      description: '500 CPU-HPA Deployments (about 50,000 pods) with daily demand on an autoscaled m5.xlarge pool (about 4,000-5,500 nodes), a rollout a day, 7 days',
    },
    spec: {
      seed: 18,
      duration: '7d',
      sampleEvery: '10m',
      cluster: {
        nodePools: [{ name: 'general', instanceType: 'aws/m5.xlarge', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], count: 4600, min: 3500, max: 6000, provisioningDelay: '90s' }],
        autoscaler: { expander: 'least-waste', maxNodesTotal: 6000 },
      },
      workloads,
      behavior,
      events,
    },
  };
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'big-5000-nodes-500-hpa-7d.yaml');
  await fs.writeFile(file, YAML.stringify(scenario));
  return file;
}
