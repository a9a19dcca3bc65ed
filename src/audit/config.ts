/** Days the audit trail keeps a row (AUDIT_RETENTION_DAYS, wrangler.toml); a positive whole number. */
export function auditRetentionDays(env: Env): number {
  const raw = env.AUDIT_RETENTION_DAYS;
  if (raw === undefined || raw === "") return 365;
  const days = Number(raw);
  if (!Number.isSafeInteger(days) || days <= 0)
    throw new Error(`Config AUDIT_RETENTION_DAYS must be a positive integer, got "${raw}"`);
  return days;
}
