import { Initial1763800000000 } from './1763800000000-initial';
import { EmailTokens1763800000100 } from './1763800000100-email-tokens';
import { OAuth1763800000200 } from './1763800000200-oauth';
import { ServiceTokens1763800000300 } from './1763800000300-service-tokens';
import { TokenRevocations1763800000400 } from './1763800000400-token-revocations';
import { OrganizationTokenCutoffs1763800000500 } from './1763800000500-organization-token-cutoffs';
import { Mfa1763800000600 } from './1763800000600-mfa';
import { Sso1763800000800 } from './1763800000800-sso';
import { ApiKeys1763800001000 } from './1763800001000-api-keys';
import { Impersonation1763800001100 } from './1763800001100-impersonation';
import { DataExports1763800001200 } from './1763800001200-data-exports';

/** The auth schema's migrations, oldest first: run at start and by `npm run migrate`. */
export const migrations = [
  Initial1763800000000,
  EmailTokens1763800000100,
  OAuth1763800000200,
  ServiceTokens1763800000300,
  TokenRevocations1763800000400,
  OrganizationTokenCutoffs1763800000500,
  Mfa1763800000600,
  Sso1763800000800,
  ApiKeys1763800001000,
  Impersonation1763800001100,
  DataExports1763800001200,
];
