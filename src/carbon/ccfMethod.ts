// The Cloud Carbon Footprint method's formulas, ported one for one from
// cloud-carbon-footprint/cloud-carbon-footprint@b7a049c7:packages/core/src (the file named at
// each). Pure functions of their inputs: the coefficients come from ccfCoefficients.ts and
// ccfInstances.ts, or a scenario's overrides; test/carbon.test.ts checks them against CCF's own
// unit tests' numbers.
import { MEDIAN_ARCHITECTURES, VCPUS_PER_CHIP, type ArchitectureCoefficients } from './ccfCoefficients.ts';

/** compute/ComputeEstimator.ts ENERGY_ESTIMATION_FORMULA: kWh of `vcpuHours` at `utilizationPct`
 *  (0-100) CPU, interpolating between min and max watts per vCPU, times PUE and replication. */
export function computeKwh(utilizationPct: number, vcpuHours: number, minWatts: number, maxWatts: number, pue: number, replicationFactor = 1): number {
  const averageWatts = minWatts + (utilizationPct / 100) * (maxWatts - minWatts);
  return (averageWatts * vcpuHours * pue * replicationFactor) / 1000;
}

/** memory/MemoryEstimator.ts estimateKilowattHours: kWh of `gigabyteHours` of memory. */
export function memoryKwh(gigabyteHours: number, kwhPerGbHour: number, pue: number, replicationFactor = 1): number {
  return gigabyteHours * kwhPerGbHour * pue * replicationFactor;
}

/** memory/helpers.ts getPhysicalChips: one chip per 96 vCPUs of the host. */
export function physicalChips(platformVcpu: number): number {
  return Math.ceil(platformVcpu / VCPUS_PER_CHIP);
}

/** memory/helpers.ts calculateGigabyteHours: the GB-hours of memory an instance holds beyond what
 *  its host's chips carry by default (the host's memory per chip less the microarchitecture's
 *  GB per chip), in the instance's share of the host's memory; 0 when the host has no more. */
export function gigabyteHoursBeyondChip(chips: number, platformMemoryGb: number, gbPerChip: number, instanceMemoryGb: number, hours: number): number {
  const perChip = platformMemoryGb / chips;
  if (perChip - gbPerChip <= 0) return 0;
  return ((perChip - gbPerChip) / (platformMemoryGb / instanceMemoryGb)) * hours;
}

/** embodiedEmissions/EmbodiedEmissionsEstimator.ts estimateCo2e: the host's manufacturing
 *  emissions amortised over its lifespan, in the instance's share of the host's vCPUs. */
export function embodiedCo2e(hours: number, lifespanHours: number, instanceVcpu: number, platformVcpu: number, hostEmissions: number): number {
  return hostEmissions * (hours / lifespanHours) * (instanceVcpu / platformVcpu);
}

/** FootprintEstimate.ts estimateCo2: emissions of `kwh` at a grid intensity (same unit per kWh). */
export function co2e(kwh: number, intensityPerKwh: number): number {
  return kwh * intensityPerKwh;
}

/** FootprintEstimate.ts getWattsByAverageOrMedian / getAverage, and the providers' getMemory: the
 *  coefficients of an instance that may run on several microarchitectures, the mean of theirs
 *  (the median of the watts when Sandy or Ivy Bridge is among them); `unknown` where none is
 *  known. */
export function mixArchitectures(names: readonly string[], table: Record<string, ArchitectureCoefficients>, unknown: ArchitectureCoefficients): ArchitectureCoefficients {
  const known = names.map((n) => table[n]).filter((c): c is ArchitectureCoefficients => c !== undefined);
  if (known.length === 0) return unknown;
  const useMedian = names.some((n) => MEDIAN_ARCHITECTURES.includes(n));
  const watts = (pick: (c: ArchitectureCoefficients) => number) => (useMedian ? median(known.map(pick)) : mean(known.map(pick)));
  return { minWatts: watts((c) => c.minWatts), maxWatts: watts((c) => c.maxWatts), gbPerChip: mean(known.map((c) => c.gbPerChip)) };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** ramda's median: the middle value, or the mean of the two middle ones. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
