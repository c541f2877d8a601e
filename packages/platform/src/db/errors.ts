/** True for a PostgreSQL unique violation (23505), raw from pg or wrapped by TypeORM. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | undefined;
  return e?.driverError?.code === '23505' || e?.code === '23505';
}
