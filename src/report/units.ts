// How figures read in reports: money with cents and thousands separators, percentages with the
// precision they deserve, CPU and memory in the units a Kubernetes manifest would use.

export function usd(amount: number, decimals = 2): string {
  const sign = amount < 0 ? '-' : '';
  return `${sign}$${Math.abs(amount).toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}`;
}

export function percent(value: number, decimals = 1): string {
  return `${value.toFixed(decimals)}%`;
}

/** Served demand keeps its nines: 99.9701%, not 100.0%. */
export function servedPercent(value: number): string {
  return value >= 99 && value < 100 ? `${Number(value.toFixed(4))}%` : percent(value, 1);
}

/** Emissions in kg CO2e: grams' precision below 10 kg, then one decimal. */
export function kgCo2e(value: number): string {
  return `${kg(value)} kg CO2e`;
}

/** The number of kgCo2e alone, for a card whose label names the unit. */
export function kg(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 3 : 1 });
}

/** Energy in kWh, with the same precision as kgCo2e. */
export function kwh(value: number): string {
  return `${value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 3 : 1 })} kWh`;
}

export function count(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function cpu(milli: number | null): string {
  if (milli === null) return '–';
  return milli >= 1000 && milli % 100 === 0 ? `${milli / 1000}` : `${Math.round(milli)}m`;
}

export function memory(bytes: number | null): string {
  if (bytes === null) return '–';
  const gib = bytes / 2 ** 30;
  return gib >= 1 ? `${Number(gib.toFixed(2))}Gi` : `${Math.round(bytes / 2 ** 20)}Mi`;
}

/** 90061 s -> "1d 1h 1m 1s"; zero parts left out. */
export function duration(seconds: number): string {
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.length > 0 ? parts.join(' ') : '0s';
}

export function utcTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC');
}
