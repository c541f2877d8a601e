import { resolve } from 'node:path';
import {
  AccessTokenSigner, InboxRow, createRateLimiter, MemoryRevocationList, OutboxRow, RedisRevocationList, deriveKey, startSubgraphService,
  type PlatformDeps, type RevocationList, type SubgraphService,
} from '@bastion/platform';
import { AccountService } from './accounts/account.service';
import { AuthLimits } from './limits/auth-limits';
import type { AuthConfig } from './config';
import type { AuthContext } from './context';
import { PasswordHasher } from './passwords/password-hasher';
import { resolvers } from './resolvers';
import { RefreshTokenEntity, SessionEntity } from './sessions/session.entity';
import { SessionService } from './sessions/session.service';
import { UserEntity } from './users/user.entity';
import { UserService } from './users/user.service';
import { Initial1763800000000 } from './migrations/1763800000000-initial';

export interface AuthServiceOptions {
  port?: number;
  /** Shared with the gateway in single-process mode, so revocations bite without Redis. */
  revocations?: RevocationList;
}

export interface AuthServices {
  accounts: AccountService;
  sessions: SessionService;
  users: UserService;
  limits: AuthLimits;
  hasher: PasswordHasher;
}

export type AuthService = SubgraphService<AuthContext, AuthServices>;

export function startAuthService(config: AuthConfig, deps: PlatformDeps, options: AuthServiceOptions = {}): Promise<AuthService> {
  return startSubgraphService<AuthContext, AuthServices>({
    name: 'auth',
    deps,
    host: config.HOST,
    port: options.port ?? config.AUTH_PORT,
    schemaFile: resolve(__dirname, '../schema.graphql'),
    entities: [UserEntity, SessionEntity, RefreshTokenEntity, OutboxRow, InboxRow],
    migrations: [Initial1763800000000],
    resolvers,
    setup: async ({ dataSource, relay }) => {
      const revocations =
        options.revocations ??
        (deps.redis ? new RedisRevocationList(deps.redis, config.ACCESS_TOKEN_TTL, deps.keyPrefix) : new MemoryRevocationList(config.ACCESS_TOKEN_TTL));
      const hasher = new PasswordHasher({
        memoryKib: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: config.ARGON2_PARALLELISM, pepper: config.PASSWORD_PEPPER,
      });
      const sessions = new SessionService(dataSource, new AccessTokenSigner(config), deriveKey(config.JWT_SECRET, 'refresh-successor'), revocations, relay, {
        accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL, refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL,
        sessionMaxAgeSeconds: config.SESSION_MAX_AGE, reuseGraceSeconds: 10,
      });
      const limits = new AuthLimits(createRateLimiter(deps.redis, deps.keyPrefix), {
        perIpAttempts: config.RATE_LIMIT_AUTH_PER_IP, failuresPerEmail: 10, windowSeconds: 15 * 60,
      });
      const accounts = new AccountService(dataSource, hasher, sessions, relay, limits);
      const users = new UserService(dataSource);
      const services = { accounts, sessions, users, limits, hasher };
      return { services, extendContext: (base) => ({ ...base, ...services, config }) };
    },
  });
}
