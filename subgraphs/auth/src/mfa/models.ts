import type { MfaFactorEntity } from './mfa.entities';

/** What enrollTotp returns: the secret is shown this once. `userId` is the owner for the tier. */
export interface TotpEnrollmentModel {
  userId: string;
  factorId: string;
  secret: string;
  uri: string;
}

/** A confirmed factor and, for the account's first factor, its fresh recovery codes. */
export interface FactorConfirmationModel {
  userId: string;
  factor: MfaFactorEntity;
  recoveryCodes: string[] | null;
}
