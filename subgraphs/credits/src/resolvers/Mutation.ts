import type { CreditsContext } from '../context';
import type { TransactionType } from '../accounts/ledger.entity';

interface EntryArgs {
  userId: string;
  amount: number;
  description?: string | null;
  idempotencyKey: string;
}

export const Mutation = {
  addCredits: (_: unknown, args: EntryArgs & { type: TransactionType }, ctx: CreditsContext) => ctx.ledger.add(args),
  useCredits: (_: unknown, args: EntryArgs, ctx: CreditsContext) => ctx.ledger.use(args),
};
