// capsim import cluster, end to end: read the dump (readDump.ts), plan the scenario directory
// (plan.ts), write it whole (writeDirectory.ts). The CLI (cli/import.ts) prints what it returns.
import path from 'node:path';
import { planImport, type ImportPlan } from './plan.ts';
import { readDump } from './readDump.ts';
import type { Placement } from './scenarioFile.ts';
import { REPORT_FILE, writeScenarioDirectory } from './writeDirectory.ts';
import { importReport, type ReportInput } from './report.ts';
import { loadScenario } from '../scenario/load.ts';
import { InputError } from '../scenario/errors.ts';

export interface ImportOptions {
  inputs: string[];
  outDir: string;
  placement: Placement;
  force?: boolean;
  signal?: AbortSignal;
  onNote?: (message: string) => void;
  /** Standard input's text, for "-" (tests give their own). */
  readStdin?: () => Promise<string>;
  /** --allow-large: read more than INPUT_LIMITS.dumpBytes. */
  allowLarge?: boolean;
}

export interface ImportResult {
  /** Absolute path of the directory written. */
  dir: string;
  plan: ImportPlan;
}

export async function importCluster(options: ImportOptions): Promise<ImportResult> {
  const dump = await readDump(options.inputs, options.readStdin, options.allowLarge);
  const plan = planImport(dump, {
    name: scenarioNameOf(options.outDir),
    placement: options.placement,
    sources: options.inputs.map((i) => (i === '-' ? '(stdin)' : i)),
  });
  const dir = await writeScenarioDirectory(options.outDir, plan.files, {
    force: options.force ?? false,
    signal: options.signal,
    onNote: options.onNote,
    finish: async (tmp) => new Map([[REPORT_FILE, importReport({ ...plan.reportInput, ownership: await ownershipOf(tmp, plan) })]]),
  });
  return { dir, plan };
}

/** The loader's decisions on the written scenario (what `capsim validate` reports). A pool the
 *  user must still price is given a price of 0 here: prices decide nothing about ownership. */
async function ownershipOf(dir: string, plan: ImportPlan): Promise<NonNullable<ReportInput['ownership']>> {
  const written = plan.pools.filter((p) => p.complete);
  const set = written.flatMap((p, i) => (p.capacityType === 'spot' && p.priceUsdPerHour === undefined ? [`spec.cluster.nodePools[${i}].spot={pricePerHour: 0}`] : []));
  try {
    const scenario = await loadScenario(path.join(dir, 'scenario.yaml'), { set });
    return { state: scenario.clusterState };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const shown = error.problems.slice(0, 5).map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`);
    return { problems: error.problems.length > 5 ? [...shown, `and ${error.problems.length - 5} more`] : shown };
  }
}

/** The scenario's name from the directory's: letters, digits, ".", "_" and "-" (the scenario
 *  name's rule: it names the run's directory). */
export function scenarioNameOf(outDir: string): string {
  const name = path.basename(path.resolve(outDir)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name || 'imported-cluster';
}
