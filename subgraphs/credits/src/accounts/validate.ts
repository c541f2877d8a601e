import { badInput } from '@bastion/platform';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AmountInput {
  userId?: string;
  amount: number;
  idempotencyKey?: string;
  description?: string | null;
  /** The caller's active organization, for the events the entry causes. */
  organizationId?: string | null;
}

/** Checks every argument at once, so a form can show all problems; nothing is written before. */
export function validateAmount(
  input: AmountInput,
  maxAmount: number,
  extra: Record<string, string> = {},
): void {
  const problems: Record<string, string> = {};
  if (input.userId !== undefined && !UUID.test(input.userId))
    problems.userId = 'Must be a user id.';
  if (!Number.isInteger(input.amount) || input.amount < 1 || input.amount > maxAmount)
    problems.amount = `Must be a whole number from 1 to ${maxAmount}.`;
  if (
    input.idempotencyKey !== undefined &&
    (!input.idempotencyKey || input.idempotencyKey.length > 200)
  )
    problems.idempotencyKey = 'Must be 1 to 200 characters.';
  if (input.organizationId != null && !UUID.test(input.organizationId))
    problems.organizationId = 'Must be an organization id.';
  if (input.description && input.description.length > 500)
    problems.description = 'Use at most 500 characters.';
  Object.assign(problems, extra);
  if (Object.keys(problems).length > 0) throw badInput(problems);
}
