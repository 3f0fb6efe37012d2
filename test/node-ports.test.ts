// The NodePorts filter and the host-port bookkeeping behind it, against upstream's test tables
// (each case cited), then through preemption, the kubelet's admission, the manifest and whole
// runs (FailedScheduling text, the queueing hint, the cluster autoscaler's template nodes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HostPort, Protocol } from '../src/model/hostPorts.ts';
import { HostPortInfo, podHostPorts } from '../src/model/hostPorts.ts';
import type { Pod } from '../src/model/pod.ts';
import { ERR_REASON, NodePorts, helpedByPodDeleted } from '../src/scheduler/plugins/nodePorts.ts';
import { NOMINATED_STATE } from '../src/scheduler/plugins/nodeResourcesFit.ts';
import { defaultProfile } from '../src/scheduler/profile.ts';
import { DefaultPreemption } from '../src/scheduler/preemption.ts';
import { RandomStreams } from '../src/engine/random.ts';
import { bind, makeNode, makePod, makeSnapshot } from './support/cluster.ts';
import { runYaml, writeScenario } from './support/run.ts';
import { loadScenario } from '../src/scenario/load.ts';
import { InputError } from '../src/scenario/errors.ts';

/** Upstream's order (default_plugins.go), with capsim's GpuShare (a GPU-share scheduler's filter) after NodeResourcesFit. */
const FILTER_ORDER = ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'GpuShare', 'PodTopologySpread', 'InterPodAffinity'];

let seq = 0;
/** node_ports_test.go newPod(host, "PROTOCOL/hostIP/hostPort", ...). */
function portPod(...specs: string[]): Pod {
  const hostPorts: HostPort[] = specs.map((s) => {
    const [protocol, hostIP, port] = s.split('/');
    return { protocol: protocol as Protocol, hostIP, hostPort: Number(port) };
  });
  return makePod({ name: `p${seq++}`, hostPorts });
}

/** PreFilter (false = Skip) then Filter against a node holding `existing`; the failure reason or null. */
function nodePorts(pod: Pod, ...existing: Pod[]): string | null | 'skip' {
  const node = makeNode({ name: `n${seq++}` });
  for (const p of existing) bind(p, node);
  const plugin = new NodePorts();
  const state = new Map();
  if (!plugin.preFilter(state, pod)) return 'skip';
  const failure = plugin.filter(state, pod, node.info);
  if (failure) assert.equal(failure.unresolvable, false, 'Unschedulable: preemption may help');
  return failure?.reasons[0] ?? null;
}

// pkg/scheduler/framework/types_test.go TestHostPortInfo_AddRemove; the triples are
// {protocol, ip, port} as upstream's hostPortInfoParam.
describe('HostPortInfo (framework/types_test.go)', () => {
  type Triple = [string, string, number];
  const fill = (added: Triple[], removed: Triple[] = []) => {
    const hp = new HostPortInfo();
    for (const [protocol, ip, port] of added) hp.add(ip, protocol, port);
    for (const [protocol, ip, port] of removed) hp.remove(ip, protocol, port);
    return hp;
  };
  const eight: Triple[] = [
    ['TCP', '127.0.0.1', 79], ['UDP', '127.0.0.1', 80], ['TCP', '127.0.0.1', 81], ['TCP', '127.0.0.1', 82],
    ['TCP', '0.0.0.0', 79], ['UDP', '0.0.0.0', 80], ['TCP', '0.0.0.0', 81], ['TCP', '0.0.0.0', 82],
  ];

  it('TestHostPortInfo_AddRemove: "normal add case", "empty ip and protocol add should work", "normal remove case", "empty ip and protocol remove should work"', () => {
    assert.equal(fill([...eight, ['TCP', '0.0.0.0', 0], ['TCP', '0.0.0.0', -1]]).size, 8);
    const sanitized: Triple[] = [
      ['', '127.0.0.1', 79], ['UDP', '127.0.0.1', 80], ['', '127.0.0.1', 81], ['', '127.0.0.1', 82],
      ['', '', 79], ['UDP', '', 80], ['', '', 81], ['', '', 82], ['', '', 0], ['', '', -1],
    ];
    assert.equal(fill(sanitized).size, 8);
    assert.equal(fill(eight, eight).size, 0);
    const removedSanitized: Triple[] = [
      ['', '127.0.0.1', 79], ['', '127.0.0.1', 81], ['', '127.0.0.1', 82], ['UDP', '127.0.0.1', 80],
      ['', '', 79], ['', '', 81], ['', '', 82], ['UDP', '', 80],
    ];
    assert.equal(fill(eight, removedSanitized).size, 0);
  });

  // TestHostPortInfo_Check: [case, added, check, expected conflict]
  const cases: [string, Triple[], Triple, boolean][] = [
    ['empty check should check 0.0.0.0 and TCP', [['TCP', '127.0.0.1', 80]], ['', '', 81], false],
    ['empty check should check 0.0.0.0 and TCP (conflicted)', [['TCP', '127.0.0.1', 80]], ['', '', 80], true],
    ['empty port check should pass', [['TCP', '127.0.0.1', 80]], ['', '', 0], false],
    ['0.0.0.0 should check all registered IPs', [['TCP', '127.0.0.1', 80]], ['TCP', '0.0.0.0', 80], true],
    ['0.0.0.0 with different protocol should be allowed', [['UDP', '127.0.0.1', 80]], ['TCP', '0.0.0.0', 80], false],
    ['0.0.0.0 with different port should be allowed', [['TCP', '127.0.0.1', 79], ['TCP', '127.0.0.1', 81], ['TCP', '127.0.0.1', 82]], ['TCP', '0.0.0.0', 80], false],
    ['normal ip should check all registered 0.0.0.0', [['TCP', '0.0.0.0', 80]], ['TCP', '127.0.0.1', 80], true],
    ['normal ip with different port/protocol should be allowed (0.0.0.0)', [['TCP', '0.0.0.0', 79], ['UDP', '0.0.0.0', 80], ['TCP', '0.0.0.0', 81], ['TCP', '0.0.0.0', 82]], ['TCP', '127.0.0.1', 80], false],
    ['normal ip with different port/protocol should be allowed', [['TCP', '127.0.0.1', 79], ['UDP', '127.0.0.1', 80], ['TCP', '127.0.0.1', 81], ['TCP', '127.0.0.1', 82]], ['TCP', '127.0.0.1', 80], false],
  ];
  for (const [name, added, [protocol, ip, port], expected] of cases) {
    it(`TestHostPortInfo_Check "${name}"`, () => assert.equal(fill(added).conflicts(ip, protocol, port), expected));
  }

  it('a port two pods hold stays used until both are gone (counted, where upstream keeps a set)', () => {
    const hp = fill([['TCP', '0.0.0.0', 80], ['TCP', '0.0.0.0', 80]], [['TCP', '0.0.0.0', 80]]);
    assert.equal(hp.conflicts('', 'TCP', 80), true);
    hp.remove('', 'TCP', 80);
    assert.equal(hp.conflicts('', 'TCP', 80), false);
  });
});

// pkg/scheduler/framework/plugins/nodeports/node_ports_test.go TestNodePorts
describe('NodePorts filter (node_ports_test.go TestNodePorts)', () => {
  const conflict = ERR_REASON;
  const cases: [string, Pod, Pod | null, string | null | 'skip'][] = [
    ['skip filter', makePod({ name: 'plain' }), null, 'skip'],
    ['other port', portPod('UDP/127.0.0.1/8080'), portPod('UDP/127.0.0.1/9090'), null],
    ['same udp port', portPod('UDP/127.0.0.1/8080'), portPod('UDP/127.0.0.1/8080'), conflict],
    ['same tcp port', portPod('TCP/127.0.0.1/8080'), portPod('TCP/127.0.0.1/8080'), conflict],
    ['different host ip', portPod('TCP/127.0.0.1/8080'), portPod('TCP/127.0.0.2/8080'), null],
    ['different protocol', portPod('UDP/127.0.0.1/8080'), portPod('TCP/127.0.0.1/8080'), null],
    ['second udp port conflict', portPod('UDP/127.0.0.1/8000', 'UDP/127.0.0.1/8080'), portPod('UDP/127.0.0.1/8080'), conflict],
    ['first tcp port conflict', portPod('TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8080'), portPod('TCP/127.0.0.1/8001', 'UDP/127.0.0.1/8081'), conflict],
    ['first tcp port conflict due to 0.0.0.0 hostIP', portPod('TCP/0.0.0.0/8001'), portPod('TCP/127.0.0.1/8001'), conflict],
    ['TCP hostPort conflict due to 0.0.0.0 hostIP', portPod('TCP/10.0.10.10/8001', 'TCP/0.0.0.0/8001'), portPod('TCP/127.0.0.1/8001'), conflict],
    ['second tcp port conflict to 0.0.0.0 hostIP', portPod('TCP/127.0.0.1/8001'), portPod('TCP/0.0.0.0/8001'), conflict],
    ['second different protocol', portPod('UDP/127.0.0.1/8001'), portPod('TCP/0.0.0.0/8001'), null],
    ['UDP hostPort conflict due to 0.0.0.0 hostIP', portPod('UDP/127.0.0.1/8001'), portPod('TCP/0.0.0.0/8001', 'UDP/0.0.0.0/8001'), conflict],
  ];
  for (const [name, pod, existing, expected] of cases) {
    it(`"${name}"`, () => assert.equal(nodePorts(pod, ...(existing ? [existing] : [])), expected));
  }

  it('the failure reason is upstream ErrReason', () => {
    assert.equal(ERR_REASON, "node(s) didn't have free ports for the requested pod ports");
  });

  it('pods nominated to the node (of at least the pod\'s priority) hold their ports (RunFilterPluginsWithNominatedPods)', () => {
    const node = makeNode({ name: 'nominated' });
    const plugin = new NodePorts();
    const incoming = portPod('TCP/0.0.0.0/80');
    const high = makePod({ name: 'high', priority: 10, hostPorts: [{ hostPort: 80, protocol: 'TCP' }] });
    const low = makePod({ name: 'low', priority: -10, hostPorts: [{ hostPort: 80, protocol: 'TCP' }] });
    const run = (nominated: Pod[]) => {
      const state = new Map<string, unknown>([[NOMINATED_STATE, new Map([['nominated', nominated]])]]);
      plugin.preFilter(state, incoming);
      return plugin.filter(state, incoming, node.info)?.reasons[0] ?? null;
    };
    assert.equal(run([high]), ERR_REASON);
    assert.equal(run([low]), null);
  });
});

// util.GetHostPorts (pkg/scheduler/util/utils.go): regular containers and restartable init
// containers (sidecars); plain init containers have finished before the pod runs.
describe('the host ports a pod holds (util.GetHostPorts)', () => {
  it('regular and sidecar containers count, plain init containers and hostPort 0 do not', () => {
    const p = makePod({
      name: 'sidecars',
      containers: [{ name: 'app', requests: {}, limits: {}, hostPorts: [{ hostPort: 8080, protocol: 'TCP' }] }],
      initContainers: [
        { name: 'proxy', requests: {}, limits: {}, restartPolicy: 'Always', hostPorts: [{ hostPort: 15001, protocol: 'TCP' }] },
        { name: 'setup', requests: {}, limits: {}, hostPorts: [{ hostPort: 9000, protocol: 'TCP' }] },
      ],
    });
    assert.deepEqual(podHostPorts(p.spec).map((h) => h.hostPort), [15001, 8080]);
    const node = makeNode({ name: 'n' });
    bind(p, node);
    assert.equal(node.info.usedPorts.size, 2);
    assert.equal(node.info.usedPorts.conflicts('', 'TCP', 9000), false);
    node.info.removePod(p);
    assert.equal(node.info.usedPorts.size, 0);
  });
});

// node_ports_test.go Test_isSchedulableAfterPodDeleted ("backoff-wrong-old-object" has no
// counterpart: capsim's events carry a Pod). The caller already skips pods that were neither
// bound nor nominated ("skip-queue-on-unscheduled"): the scheduler test below covers it.
describe('queueing hint (node_ports_test.go Test_isSchedulableAfterPodDeleted)', () => {
  const waiting = () => makePod({ name: 'w', hostPorts: [{ hostPort: 8080, protocol: 'TCP' }] });
  it('"skip-queue-on-non-hostport", "skip-queue-on-unrelated-hostport", "queue-on-released-hostport"', () => {
    assert.equal(helpedByPodDeleted(waiting(), makePod({ name: 'none' })), false);
    assert.equal(helpedByPodDeleted(waiting(), makePod({ name: 'other', hostPorts: [{ hostPort: 8081, protocol: 'TCP' }] })), false);
    assert.equal(helpedByPodDeleted(waiting(), makePod({ name: 'same', hostPorts: [{ hostPort: 8080, protocol: 'TCP' }] })), true);
  });
});

describe('preemption frees the ports of its victims (SelectVictimsOnNode on a NodeInfo clone)', () => {
  it('a high-priority pod evicts the lower-priority holder of its host port, not the other pods', () => {
    const node = makeNode({ name: 'only', cpu: 4 });
    const holder = bind(makePod({ name: 'holder', priority: 0, cpuMilli: 100, hostPorts: [{ hostPort: 80, protocol: 'TCP' }] }), node);
    bind(makePod({ name: 'bystander', priority: 0, cpuMilli: 100 }), node);
    const incoming = makePod({ name: 'ingress', priority: 100, cpuMilli: 100, hostPorts: [{ hostPort: 80, protocol: 'TCP' }] });
    const profile = defaultProfile();
    assert.deepEqual(profile.filters.map((f) => f.name), FILTER_ORDER, 'upstream default_plugins.go filter order, GpuShare after NodeResourcesFit');
    const snapshot = makeSnapshot([node]);
    const state = new Map();
    const active = profile.filters.filter((f) => !f.preFilter || f.preFilter(state, incoming, snapshot));
    const preemption = new DefaultPreemption({ splitByBudget: (pods) => ({ violating: [], nonViolating: [...pods] }) }, new RandomStreams(1).stream('p'));
    const candidate = preemption.selectVictimsOnNode(incoming, node.info, active, state);
    assert.deepEqual(candidate?.victims.map((v) => v.name), ['holder']);
    // The real NodeInfo is untouched: the holder's port is still in use there.
    assert.equal(node.info.usedPorts.conflicts('', 'TCP', 80), true);
    assert.ok(node.info.pods.includes(holder));
  });
});

/** One scenario: `nodes` 4-CPU nodes, then the given manifests. */
function scenario(nodes: number, manifests: string, extra = ''): string {
  const nodeDocs = Array.from({ length: nodes }, (_, i) => `    - {apiVersion: v1, kind: Node, metadata: {name: node-${i + 1}}, status: {allocatable: {cpu: "4", memory: 8Gi, pods: "110"}}}`).join('\n');
  return `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ports}
spec:
  duration: 10m
  sampleEvery: 1m
${extra}  manifests:
${nodeDocs}
${manifests}`;
}

describe('host ports from the manifest (SetDefaults_ContainerPort, SetDefaults_Pod, validateHostNetwork)', () => {
  const load = (spec: string) => loadScenario(writeScenario(scenario(0, `    - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: ${spec}}`)));

  it('ports with a hostPort are kept with the protocol defaulted to TCP; with hostNetwork every containerPort is a hostPort', async () => {
    const plain = await load('{containers: [{name: c, ports: [{containerPort: 8080}, {containerPort: 53, hostPort: 1053, protocol: UDP, hostIP: 10.0.0.1}, {containerPort: 9090, hostPort: 9090}]}]}');
    const pod = plain.objects.find((o) => o.kind === 'Pod')!;
    assert.ok(pod.kind === 'Pod');
    assert.deepEqual(pod.spec.containers[0].hostPorts, [{ hostPort: 1053, protocol: 'UDP', hostIP: '10.0.0.1' }, { hostPort: 9090, protocol: 'TCP' }]);
    const host = await load('{hostNetwork: true, containers: [{name: c, ports: [{containerPort: 9100}, {containerPort: 9101, hostPort: 9101}]}]}');
    const hostPod = host.objects.find((o) => o.kind === 'Pod')!;
    assert.ok(hostPod.kind === 'Pod');
    assert.deepEqual(hostPod.spec.containers[0].hostPorts, [{ hostPort: 9100, protocol: 'TCP' }, { hostPort: 9101, protocol: 'TCP' }]);
  });

  it('with hostNetwork a hostPort other than the containerPort is refused with the field, the rule and a hint', async () => {
    await assert.rejects(load('{hostNetwork: true, containers: [{name: c, ports: [{containerPort: 9100, hostPort: 80}]}]}'), (error: unknown) => {
      assert.ok(error instanceof InputError);
      const [problem] = error.problems;
      assert.equal(problem.path, 'spec.manifests[0].spec.containers[0].ports[0].hostPort');
      assert.equal(problem.message, 'must match `containerPort` when `hostNetwork` is true');
      assert.equal(problem.hint, 'use hostPort: 9100, or leave it out');
      return true;
    });
  });
});

/** A Deployment (a manifests list item) of one container, written as YAML flow. */
function deployment(name: string, replicas: number, container: string): string {
  return `    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ${name}}
      spec:
        replicas: ${replicas}
        selector: {matchLabels: {app: ${name}}}
        template:
          metadata: {labels: {app: ${name}}}
          spec:
            containers: [${container}]`;
}

describe('host ports end to end', () => {
  it('two pods with the same host port never share a node; the third waits with upstream\'s FailedScheduling text', async () => {
    const run = await runYaml(scenario(2, deployment('ingress', 3, '{name: nginx, image: nginx, ports: [{containerPort: 80, hostPort: 80}], resources: {requests: {cpu: 100m}}}')));
    const scheduled = run.events('Scheduled');
    assert.equal(scheduled.length, 2);
    assert.deepEqual(new Set(scheduled.map((e) => e.node)), new Set(['node-1', 'node-2']));
    const failed = run.events('FailedScheduling');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].message, "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
    assert.equal(run.summary.pods.unschedulable, 1);
  });

  it('hostNetwork claims every containerPort; a finished pod frees its port and the waiting pod is queued at once', async () => {
    // The Job pod holds 9100 for its 2-minute run (hostNetwork: hostPort defaults to the
    // containerPort). The agent, scaled up at 30s, waits; it is scheduled as soon as the Job pod
    // finishes (the NodePorts queueing hint), not at the 5-minute leftover flush.
    const run = await runYaml(scenario(1, `    - apiVersion: batch/v1
      kind: Job
      metadata: {name: probe}
      spec:
        template:
          spec:
            hostNetwork: true
            restartPolicy: Never
            containers: [{name: probe, image: x, ports: [{containerPort: 9100}], resources: {requests: {cpu: 100m}}}]
${deployment('agent', 0, '{name: agent, image: x, ports: [{containerPort: 9100, hostPort: 9100}], resources: {requests: {cpu: 100m}}}')}`, `  behavior:
    - {target: Job/default/probe, run: {duration: 2m}}
  events:
    - {at: 30s, scale: {target: Deployment/default/agent, replicas: 1}}
`));
    const failed = run.events('FailedScheduling');
    assert.equal(failed.length, 1);
    assert.equal(Number(failed[0].t), 30);
    assert.match(failed[0].message, /^0\/1 nodes are available: 1 node\(s\) didn't have free ports for the requested pod ports\./);
    const done = run.events('Completed').find((e) => e.object.startsWith('Pod/default/probe-'));
    const agent = run.events('Scheduled').find((e) => e.object.startsWith('Pod/default/agent-'));
    assert.ok(done && agent);
    assert.equal(Number(agent.t), Number(done.t), `agent at ${agent.t}s, the Job pod finished at ${done.t}s`);
  });

  it('a pod bound by nodeName is rejected by the kubelet when its host port is taken (AdmissionCheck)', async () => {
    const run = await runYaml(scenario(1, `    - {apiVersion: v1, kind: Pod, metadata: {name: first}, spec: {nodeName: node-1, containers: [{name: c, image: x, ports: [{containerPort: 53, hostPort: 53, protocol: UDP}]}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: tcp}, spec: {nodeName: node-1, containers: [{name: c, image: x, ports: [{containerPort: 53, hostPort: 53}]}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: second}, spec: {nodeName: node-1, containers: [{name: c, image: x, ports: [{containerPort: 53, hostPort: 53, protocol: UDP}]}]}}`));
    assert.deepEqual(run.events('Scheduled').map((e) => e.object), ['Pod/default/first', 'Pod/default/tcp']);
    const rejected = run.events('Failed');
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0].object, 'Pod/default/second');
    assert.equal(rejected[0].message, "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports (NodePorts)");
  });

  it('the cluster autoscaler does not add a node whose DaemonSet pod would hold the port the pending pod needs', async () => {
    // Every node (and so the template node) runs the exporter (100m) on hostPort 9100; a 3-CPU
    // filler leaves too little cpu for the 1-CPU pod on the one node. Wanting 9100, the pod fits
    // no template node either: no scale-up. Wanting 9200, it fits the template: one node added.
    const yaml = (port: number) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ca-ports}
spec:
  duration: 5m
  sampleEvery: 1m
  cluster:
    nodePools:
      - {name: general, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 1, min: 1, max: 3}
    autoscaler: {}
  manifests:
    - apiVersion: apps/v1
      kind: DaemonSet
      metadata: {name: exporter}
      spec:
        selector: {matchLabels: {app: exporter}}
        template:
          metadata: {labels: {app: exporter}}
          spec:
            priorityClassName: system-node-critical
            containers: [{name: e, image: x, ports: [{containerPort: 9100, hostPort: 9100}], resources: {requests: {cpu: 100m}}}]
    - {apiVersion: v1, kind: Pod, metadata: {name: filler}, spec: {containers: [{name: c, image: x, resources: {requests: {cpu: "3"}}}]}}
    - {apiVersion: v1, kind: Pod, metadata: {name: wants}, spec: {containers: [{name: c, image: x, ports: [{containerPort: ${port}, hostPort: ${port}}], resources: {requests: {cpu: "1"}}}]}}
`;
    const blocked = await runYaml(yaml(9100));
    assert.equal(blocked.summary.autoscaling.nodeScaleUps, 0);
    assert.equal(blocked.events('NotTriggerScaleUp')[0].message, "pod didn't trigger scale-up: 1 node(s) didn't have free ports for the requested pod ports");
    const free = await runYaml(yaml(9200));
    assert.equal(free.summary.autoscaling.nodeScaleUps, 1);
    assert.equal(free.events('Scheduled').find((e) => e.object === 'Pod/default/wants')?.node, 'general-002');
  });

  it('the cluster autoscaler\'s drain simulation keeps a node whose pod holds a port taken on every other node', async () => {
    // Two mostly empty nodes, one ingress pod on each (hostPort 80, spread by LeastAllocated).
    // Without the port either node could go (its pod fits on the other); with it, neither can.
    const yaml = (ports: string) => `apiVersion: capsim/v1
kind: Scenario
metadata: {name: ca-drain-ports}
spec:
  duration: 30m
  sampleEvery: 1m
  cluster:
    nodePools:
      - {name: general, capacity: {cpu: "4", memory: 8Gi}, price: {onDemandPerHour: 0.2}, count: 2, min: 1, max: 3}
    autoscaler: {}
  workloads:
    - {name: ingress, replicas: 2, containers: [{name: nginx, ${ports}resources: {requests: {cpu: 100m, memory: 128Mi}}}]}
`;
    const held = await runYaml(yaml('ports: [{containerPort: 80, hostPort: 80}], '));
    assert.equal(held.summary.autoscaling.nodeScaleDowns, 0);
    assert.equal(held.summary.pods.unschedulable, 0);
    const free = await runYaml(yaml(''));
    assert.equal(free.summary.autoscaling.nodeScaleDowns, 1);
  });
});
