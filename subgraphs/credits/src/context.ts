import type { BaseContext } from '@bastion/platform';
import type { creditsDataExport } from './accounts/data-export';
import type { LedgerService } from './accounts/ledger.service';
import type { HoldsService } from './holds/holds.service';
import type { CreditPackage } from './packages/packages';
import type { CheckoutService } from './stripe/checkout.service';

export interface CreditsContext extends BaseContext {
  ledger: LedgerService;
  holds: HoldsService;
  checkout: CheckoutService;
  packages: readonly CreditPackage[];
  /** Credits' part of a user's data export. */
  dataExport: (userId: string) => ReturnType<typeof creditsDataExport>;
}
