// When nodes were NotReady or cordoned, read from events.csv as the report streams it: a zone
// outage or a drain leaves the node count flat (the nodes still exist), so the Nodes chart draws
// these spans over it. Exact to the event, unlike a sampled count.
export type NodeState = 'NotReady' | 'cordoned';

export interface NodeStateSpan {
  node: string;
  state: NodeState;
  fromSeconds: number;
  toSeconds: number;
}

/** Which event opens and which closes each state; a removed node leaves every state. */
const OPENS: Readonly<Record<string, NodeState>> = { NodeNotReady: 'NotReady', NodeCordoned: 'cordoned' };
const CLOSES: Readonly<Record<string, NodeState>> = { NodeReady: 'NotReady', NodeUncordoned: 'cordoned' };

export class NodeStateSpans {
  private readonly open = new Map<string, number>();
  readonly spans: NodeStateSpan[] = [];

  /** One events.csv row, in file (time) order. */
  event(type: string, node: string, t: number): void {
    if (node === '') return;
    const opens = Object.hasOwn(OPENS, type) ? OPENS[type] : undefined;
    if (opens) {
      if (!this.open.has(`${opens}|${node}`)) this.open.set(`${opens}|${node}`, t);
      return;
    }
    const closes = Object.hasOwn(CLOSES, type) ? [CLOSES[type]] : type === 'NodeRemoved' ? (['NotReady', 'cordoned'] as const) : [];
    for (const state of closes) this.close(state, node, t);
  }

  /** The spans, those still open ended at the run's end; sorted by start, node and state. */
  finish(endSeconds: number): NodeStateSpan[] {
    for (const key of [...this.open.keys()]) {
      const [state, node] = key.split('|', 2) as [NodeState, string];
      this.close(state, node, endSeconds);
    }
    return this.spans.sort((a, b) => a.fromSeconds - b.fromSeconds || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0) || (a.state < b.state ? -1 : a.state > b.state ? 1 : 0));
  }

  private close(state: NodeState, node: string, t: number): void {
    const key = `${state}|${node}`;
    const from = this.open.get(key);
    if (from === undefined) return;
    this.open.delete(key);
    if (t > from) this.spans.push({ node, state, fromSeconds: from, toSeconds: t });
  }
}
