// Short human labels for a sweep's varied paths, for its page and charts: the last key of the
// path in words (spec.cluster.nodePools[0].instanceType -> "instance type"), with the parent
// segment in brackets where two paths end alike ("count (nodePools[0])", "count (nodePools[1])"),
// and the whole path where even that is ambiguous. The full path goes in a tooltip.

/** "instanceType" -> "instance type", "maxReplicas" -> "max replicas", "cpu" -> "cpu". */
export function words(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase();
}

/** The path's segments: "spec.cluster.nodePools[0].count" -> ["spec", "cluster", "nodePools[0]", "count"]. */
function segments(path: string): string[] {
  return path.split('.').filter((s) => s !== '');
}

/** The leaf of a path in words: its last segment without an index ("args[1]" -> "args 1"). */
function leaf(path: string): string {
  const last = segments(path).at(-1) ?? path;
  const m = /^(.*?)\[(\d+)\]$/.exec(last);
  return m ? `${words(m[1])} ${m[2]}` : words(last);
}

/** Leaves that say little alone: their parent comes first ("requests cpu", "limits memory"). */
const VAGUE = new Set(['cpu', 'memory', 'value', 'name']);

function label(path: string): string {
  const short = leaf(path);
  const parent = segments(path).at(-2);
  return VAGUE.has(short) && parent ? `${leaf(parent)} ${short}` : short;
}

export function variedLabels(paths: readonly string[]): string[] {
  const short = paths.map(label);
  const labels = short.map((label, i) => {
    if (short.filter((s) => s === label).length === 1) return label;
    const parent = segments(paths[i]).at(-2);
    return parent ? `${label} (${parent})` : paths[i];
  });
  return labels.map((label, i) => (labels.filter((l) => l === label).length === 1 ? label : paths[i].replace(/^spec\./, '')));
}
