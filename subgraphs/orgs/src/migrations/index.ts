import { Initial1763800000000 } from './1763800000000-initial';
import { Invitations1763900000000 } from './1763900000000-invitations';
import { AuditLog1763900000100 } from './1763900000100-audit-log';
import { RowLevelSecurity1763900000200 } from './1763900000200-row-level-security';
import { AuditChainKey1763900000300 } from './1763900000300-audit-chain-key';
import { RequireMfa1763900000400 } from './1763900000400-require-mfa';

/** The orgs schema's migrations, oldest first: run at start and by `npm run migrate`. */
export const migrations = [
  Initial1763800000000,
  Invitations1763900000000,
  AuditLog1763900000100,
  RowLevelSecurity1763900000200,
  AuditChainKey1763900000300,
  RequireMfa1763900000400,
];
