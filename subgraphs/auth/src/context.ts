import type { BaseContext } from '@bastion/platform';
import type { AuthConfig } from './config';
import type { AuthServices } from './services';

export interface AuthContext extends BaseContext, AuthServices {
  config: AuthConfig;
}
