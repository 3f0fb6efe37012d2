// What the loader refuses to read, and why (docs/scenario.md "Limits"): inputs over a limit are
// problems of the file that holds them, found before the big thing is built. The limits of a run
// and a sweep (what they would write, their memory, their time) are in size/limits.ts.

/** The flag that lifts every limit except the YAML alias limit. */
export const ALLOW_LARGE = '--allow-large';

const GB = 1e9;
const MB = 1e6;
const HOUR_MS = 3_600_000;

/**
 * What the loader holds. YAML: 64 MB of scenario and manifest files together (the k8s-sims
 * cluster of 1,213 nodes and 7,064 pods is 3.8 MB; parsed and checked, YAML takes about 25 times
 * its size in memory and 5 s per 10 MB) and 200,000 objects (Kubernetes' tested limits are
 * 150,000 pods on 5,000 nodes); aliases may add at most 100,000 values to a file (anchors that
 * refer to anchors grow exponentially: 800 bytes can stand for 10^9 values). A trace: 64 MB and
 * 1,000,000 rows (a year of one-minute points is 525,600; reading a million takes about 3 s and
 * 500 MB). What `capsim import cluster` reads: 160 MB of kubectl output (about 4 GB once parsed;
 * a dump is mostly managedFields and status, which the import drops: its manifests are far
 * smaller).
 */
export const INPUT_LIMITS = { yamlBytes: 64 * MB, objects: 200_000, aliasValues: 100_000, traceBytes: 64 * MB, traceRows: 1_000_000, dumpBytes: 160 * MB } as const;

/** 12 KB, 3.4 MB, 56 MB, 1.2 GB, 1,234 GB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 10 * GB) return `${Math.round(bytes / GB).toLocaleString('en-US')} GB`;
  if (bytes >= GB) return `${Number((bytes / GB).toFixed(1))} GB`;
  if (bytes >= 10 * MB) return `${Math.round(bytes / MB)} MB`;
  if (bytes >= 0.1 * MB) return `${Number((bytes / MB).toFixed(1))} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
}

/** 45 s, 12 minutes, 5 hours, 3 days, 12 years. */
export function formatWall(ms: number): string {
  const DAY_MS = 24 * HOUR_MS;
  if (ms >= 730 * DAY_MS) return `${Math.round(ms / (365 * DAY_MS)).toLocaleString('en-US')} years`;
  if (ms >= 2 * DAY_MS) return `${Math.round(ms / DAY_MS).toLocaleString('en-US')} days`;
  if (ms >= 2 * HOUR_MS) return `${Math.round(ms / HOUR_MS)} hours`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} minutes`;
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}

/** 1,234 below a million, then 3.2 M, 41 G. */
export function formatCount(n: number): string {
  if (n >= 1e10) return `${Math.round(n / 1e9).toLocaleString('en-US')} G`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e7) return `${Math.round(n / 1e6)} M`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  return Math.round(n).toLocaleString('en-US');
}
