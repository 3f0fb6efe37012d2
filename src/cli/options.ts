// Options shared by the commands that read a scenario.
import type { Options } from 'yargs';
import { InputError } from '../scenario/errors.ts';
import { REPORT_FORMATS, type ReportFormat } from '../report/formats.ts';

export const scenarioOptions = {
  set: {
    type: 'string',
    array: true,
    describe: 'Override a scenario field: --set spec.cluster.nodePools[0].count=5 (repeatable)',
  },
  seed: { type: 'number', describe: 'Override spec.seed' },
} satisfies Record<string, Options>;

/** --allow-large: run (or read) what goes past the limits of size/limits.ts and scenario/limits.ts. */
export const allowLargeOption = {
  'allow-large': {
    type: 'boolean',
    default: false,
    describe: 'Run it even when it would write more than 2 GB, need more than 4 GB of memory or take more than 2 hours (a sweep: 2 GB, 4 GB at once, 12 hours in all), and read inputs over the input limits (docs/scenario.md "Limits")',
  },
} satisfies Record<string, Options>;

/** --placement: where the pods of a cluster's state start (run and validate; a sweep varies
 *  spec.placement like any field). */
export const placementOption = {
  placement: {
    type: 'string',
    choices: ['asDumped', 'reschedule'],
    describe: "Where the pods of a cluster's state (kubectl get -o yaml) start, overriding spec.placement: asDumped (the default) on the nodes they run on, adopted by their workloads; reschedule: the workloads make new pods and the scheduler packs them",
  },
} satisfies Record<string, Options>;

/** --format html,svg,png: which report files to write ("none": CSV and JSON only). */
export const formatOption = {
  format: {
    type: 'string',
    default: 'html,svg',
    describe: 'Report files: html (report.html), svg and png (charts/); comma-separated, or none',
  },
} satisfies Record<string, Options>;

/** The formats named by --format, or an input error naming the one not known. */
export function parseFormats(text: string): ReportFormat[] {
  const names = text.split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
  if (names.length === 1 && names[0] === 'none') return [];
  const bad = names.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (bad.length > 0 || names.length === 0) {
    throw new InputError([{ file: '--format', line: 0, column: 0, path: '', message: `unknown report format ${bad.map((b) => `"${b}"`).join(', ') || '(empty)'}`, hint: `use any of ${REPORT_FORMATS.join(', ')} separated by commas, or none` }]);
  }
  return [...new Set(names)] as ReportFormat[];
}
