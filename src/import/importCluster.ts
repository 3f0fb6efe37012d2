// capsim import cluster, end to end: read the dump (readDump.ts), plan the scenario directory
// (plan.ts), write it whole (writeDirectory.ts). The CLI (cli/import.ts) prints what it returns.
import path from 'node:path';
import { scenarioFieldNames } from '../scenario/jsonSchema.ts';
import { planImport, type ImportPlan } from './plan.ts';
import { readDump } from './readDump.ts';
import type { Placement } from './scenarioFile.ts';
import { writeScenarioDirectory } from './writeDirectory.ts';

export interface ImportOptions {
  inputs: string[];
  outDir: string;
  placement: Placement;
  force?: boolean;
  signal?: AbortSignal;
  onNote?: (message: string) => void;
  /** Standard input's text, for "-" (tests give their own). */
  readStdin?: () => Promise<string>;
}

export interface ImportResult {
  /** Absolute path of the directory written. */
  dir: string;
  plan: ImportPlan;
}

export async function importCluster(options: ImportOptions): Promise<ImportResult> {
  const dump = await readDump(options.inputs, options.readStdin);
  const plan = planImport(dump, {
    name: scenarioNameOf(options.outDir),
    placement: options.placement,
    // spec.placement is the loader's field (issue 15); written only where this capsim reads it.
    placementField: scenarioFieldNames().has('placement'),
    sources: options.inputs.map((i) => (i === '-' ? '(stdin)' : i)),
  });
  const dir = await writeScenarioDirectory(options.outDir, plan.files, { force: options.force ?? false, signal: options.signal, onNote: options.onNote });
  return { dir, plan };
}

/** The scenario's name from the directory's: letters, digits, ".", "_" and "-" (the scenario
 *  name's rule: it names the run's directory). */
export function scenarioNameOf(outDir: string): string {
  const name = path.basename(path.resolve(outDir)).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return name || 'imported-cluster';
}
