import { Initial1763800000000 } from './1763800000000-initial';
import { Holds1765000000000 } from './1765000000000-holds';
import { Stripe1765000000001 } from './1765000000001-stripe';
import { LedgerSequenceDisputes1766000000000 } from './1766000000000-ledger-sequence-disputes';
import { HoldOrganization1768000000000 } from './1768000000000-hold-organization';
import { ApiKeyCeilings1768500000000 } from './1768500000000-api-key-ceilings';

/** The credits schema's migrations, oldest first: run at start and by `npm run migrate`. */
export const migrations = [
  Initial1763800000000,
  Holds1765000000000,
  Stripe1765000000001,
  LedgerSequenceDisputes1766000000000,
  HoldOrganization1768000000000,
  ApiKeyCeilings1768500000000,
];
