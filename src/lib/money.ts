/**
 * Money as integer minor units. Only currencies with two decimals are used (config refuses others),
 * so "5.00" ⇄ 500 is exact string arithmetic, never floating point.
 */
export function parseMoney(value: string): number | null {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
}

export function centsToDecimal(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

export function formatMoney(cents: number, currency: string): string {
  return `${centsToDecimal(cents)} ${currency}`;
}
