import { IsNull, Not, type DataSource } from 'typeorm';
import { MfaFactorEntity, RecoveryCodeEntity } from './mfa.entities';

/** What the GraphQL layer reads of a user's second factors. */
export class MfaFactors {
  constructor(private readonly dataSource: DataSource) {}

  /** Confirmed factors, oldest first (a TOTP factor awaiting its first code is not one yet). */
  confirmed(userId: string): Promise<MfaFactorEntity[]> {
    return this.dataSource.getRepository(MfaFactorEntity).find({
      where: { userId, confirmedAt: Not(IsNull()) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  recoveryCodesRemaining(userId: string): Promise<number> {
    return this.dataSource
      .getRepository(RecoveryCodeEntity)
      .count({ where: { userId, usedAt: IsNull() } });
  }
}
