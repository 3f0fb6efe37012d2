// Money as people read it (issue 21): one formatter for the terminal, the report, compare and the
// sweep page. Amounts: a $, two decimals, thousands separators ($1,201.40; -$3.00). Unit prices
// keep the digits they have ($0.096/h, $0.0116/h), up to a millionth, with at least cents ($0.50/h).
// Here in outputs/ (not report/) so that every layer that prints money can use it.

/** $1,201.40: an amount of US dollars, rounded to cents. `decimals` is for the one deliberate
 *  exception: compare's rows of small amounts that cents would blur ($1.656 vs $2.040). */
export function usd(amount: number, decimals = 2): string {
  const scale = 10 ** decimals;
  const rounded = Math.round(Math.abs(amount) * scale) / scale;
  const sign = amount < 0 && rounded > 0 ? '-' : '';
  return `${sign}$${rounded.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}`;
}

/** $0.096/h: a price per hour, exact to a millionth of a dollar. */
export function usdPerHour(price: number): string {
  const sign = price < 0 ? '-' : '';
  return `${sign}$${Math.abs(price).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}/h`;
}
