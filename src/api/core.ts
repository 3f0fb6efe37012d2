// Two small core kinds the API server keeps: Namespaces (their labels are what namespaceSelectors
// match) and the kubelets' node Leases (coordination.k8s.io).
import type { Node } from '../model/node.ts';

/** A node's Lease in kube-node-lease: the kubelet renews it while its machine runs; the node
 *  lifecycle controller watches it to notice a node that stopped posting status. */
export interface NodeLease {
  readonly node: Node;
  renewing: boolean;
}

/** A Namespace: its labels (with kubernetes.io/metadata.name), which namespaceSelectors read. */
export interface Namespace {
  readonly name: string;
  readonly labels: Record<string, string>;
}
