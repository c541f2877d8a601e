import type { BaseContext } from '@bastion/platform';
import type { AccountService } from './accounts/account.service';
import type { SessionService } from './sessions/session.service';
import type { UserService } from './users/user.service';

export interface AuthContext extends BaseContext {
  accounts: AccountService;
  sessions: SessionService;
  users: UserService;
}
