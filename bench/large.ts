// Writes the large benchmark scenario (DESIGN §6: 1,000 nodes, 10,000 pods, 30 days) into a
// scratch directory. Generated rather than committed: 200 workloads are better as a loop.
import fs from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';

export async function writeLargeScenario(dir: string): Promise<string> {
  const workloads = Array.from({ length: 200 }, (_, i) => ({
    name: `svc-${String(i).padStart(3, '0')}`,
    namespace: `team-${i % 20}`,
    replicas: 50,
    containers: [{ name: 'app', resources: { requests: { cpu: `${100 + (i % 5) * 50}m`, memory: `${256 + (i % 4) * 128}Mi` }, limits: { memory: '1Gi' } } }],
  }));
  const events = Array.from({ length: 30 }, (_, day) => {
    const i = (day * 7) % 200;
    return { at: `${day}d12h`, rollout: { target: `Deployment/team-${i % 20}/svc-${String(i).padStart(3, '0')}` } };
  });
  const scenario = {
    apiVersion: 'capsim/v1',
    kind: 'Scenario',
    metadata: { name: 'large-1000-nodes-30d', description: '1,000 nodes, 200 Deployments x 50 replicas, a rollout a day, 30 days (HPAs join when the HPA controller lands)' },
    spec: {
      seed: 7,
      duration: '30d',
      sampleEvery: '5m',
      cluster: { nodePools: [{ name: 'general', instanceType: 'aws/m5.2xlarge', zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], count: 1000 }] },
      workloads,
      events,
    },
  };
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, 'large-1000-nodes-30d.yaml');
  await fs.writeFile(file, YAML.stringify(scenario));
  return file;
}
