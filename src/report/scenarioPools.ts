// The node pools a run's scenario declares, read from its scenario.resolved.yaml: compare.html
// tells a pool that never scaled (declared, no node-hours: $0.00) from one the run has not got.
import YAML from 'yaml';

export interface ScenarioPools {
  /** Pools of spec.cluster.nodePools, spec.karpenter.nodePools and inline Karpenter NodePools. */
  names: ReadonlySet<string>;
  /** False when a pool could hide where this does not look (manifests named by file path, an
   *  unreadable file): a pool missing from `names` may still exist. */
  complete: boolean;
}

const UNKNOWN: ScenarioPools = { names: new Set(), complete: false };

export function scenarioPools(yamlText: string): ScenarioPools {
  if (yamlText.trim() === '') return UNKNOWN;
  let doc: unknown;
  try {
    doc = YAML.parse(yamlText, { logLevel: 'error', maxAliasCount: 100 });
  } catch {
    return UNKNOWN;
  }
  const spec = field(doc, 'spec');
  if (!spec) return UNKNOWN;
  const names = new Set<string>();
  let complete = true;
  for (const list of [field(field(spec, 'cluster'), 'nodePools'), field(field(spec, 'karpenter'), 'nodePools')]) {
    for (const pool of Array.isArray(list) ? list : []) {
      const name = field(pool, 'name');
      if (typeof name === 'string') names.add(name);
    }
  }
  const manifests = field(spec, 'manifests');
  for (const m of Array.isArray(manifests) ? manifests : []) {
    if (typeof m === 'string') complete = false; // a file or glob: its NodePools are not here
    else if (field(m, 'kind') === 'NodePool') {
      const name = field(field(m, 'metadata'), 'name');
      if (typeof name === 'string') names.add(name);
    }
  }
  if (field(spec, 'traces') !== undefined) complete = false; // a trace's nodes bring their own pools
  return { names, complete };
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}
