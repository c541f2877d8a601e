import type { BaseContext } from '@bastion/platform';
import type { LedgerService } from './accounts/ledger.service';
import type { HoldsService } from './holds/holds.service';
import type { CreditPackage } from './packages/packages';

export interface CreditsContext extends BaseContext {
  ledger: LedgerService;
  holds: HoldsService;
  packages: readonly CreditPackage[];
}
