import { LessThan, type DataSource } from 'typeorm';
import { badInput, invalidToken, sha256Hex } from '@bastion/platform';
import {
  OAUTH_PROVIDER_NAMES,
  type OAuthProviderName,
  type OAuthProviderSettings,
} from './oauth-config';
import { OAuthStateEntity, type OAuthPurpose } from './oauth-account.entity';
import type { OidcClient, OidcIdentity } from './oidc-client';

/** Long enough to sign in at the provider, short enough that a leaked state is soon worthless. */
export const STATE_TTL_SECONDS = 10 * 60;

export interface FlowSettings {
  providers: Map<OAuthProviderName, OAuthProviderSettings>;
  redirectUris: Set<string>;
}

/** What the client brings back from the provider's redirect. */
export interface FlowCallback {
  provider: string;
  code: string;
  state: string;
  redirectUri: string;
}

const hashState = (state: string) => sha256Hex(state);

/** Starting and finishing authorization flows: states, allow-listed redirects, the code exchange. */
export class OAuthFlows {
  constructor(
    private readonly dataSource: DataSource,
    private readonly oidc: OidcClient,
    private readonly settings: FlowSettings,
  ) {}

  /** A configured provider by name; BAD_USER_INPUT naming it otherwise. */
  provider(name: string): OAuthProviderSettings {
    const provider = this.settings.providers.get(name as OAuthProviderName);
    if (!provider) {
      const known = (OAUTH_PROVIDER_NAMES as readonly string[]).includes(name);
      throw badInput({
        provider: known
          ? `The provider "${name}" is not configured.`
          : `Unknown provider "${name}".`,
      });
    }
    return provider;
  }

  /** Records a new state (who may finish the flow, and its PKCE and nonce secrets) and returns the provider's URL. */
  async start(
    providerName: string,
    redirectUri: string,
    purpose: OAuthPurpose,
    userId: string | null,
  ): Promise<string> {
    const provider = this.provider(providerName);
    this.assertRedirectUri(redirectUri);
    const flow = await this.oidc.newFlow(redirectUri);
    const url = await this.oidc.authorizationUrl(provider, flow);
    const now = new Date();
    await this.dataSource.transaction(async (manager) => {
      // Abandoned flows are swept here, so the table stays as small as the flows in progress.
      await manager.delete(OAuthStateEntity, { expiresAt: LessThan(now) });
      await manager.insert(OAuthStateEntity, {
        hash: hashState(flow.state),
        provider: provider.name,
        redirectUri,
        codeVerifier: flow.codeVerifier,
        nonce: flow.nonce,
        purpose,
        userId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + STATE_TTL_SECONDS * 1000),
      });
    });
    return url;
  }

  /**
   * Consumes the state (whatever happens next, it never works twice), checks it was issued for this
   * provider, redirect, purpose and user, and redeems the code. INVALID_TOKEN for any state mismatch.
   */
  async finish(
    callback: FlowCallback,
    expected: { purpose: OAuthPurpose; userId: string | null },
  ): Promise<{ provider: OAuthProviderName; identity: OidcIdentity }> {
    const provider = this.provider(callback.provider);
    this.assertRedirectUri(callback.redirectUri);
    if (!callback.code || callback.code.length > 4096)
      throw badInput({ code: 'The authorization code is missing or too long.' });
    const state = await this.consume(callback.state);
    if (
      !state ||
      state.provider !== provider.name ||
      state.redirectUri !== callback.redirectUri ||
      state.purpose !== expected.purpose ||
      state.userId !== expected.userId
    ) {
      throw invalidToken('This sign-in link is invalid, used or expired; start again.');
    }
    const identity = await this.oidc.exchange(
      provider,
      {
        redirectUri: state.redirectUri,
        state: callback.state,
        nonce: state.nonce,
        codeVerifier: state.codeVerifier,
      },
      callback.code,
    );
    return { provider: provider.name, identity };
  }

  /** Exact match against the allow-list: the provider sends the code to this address. */
  private assertRedirectUri(redirectUri: string): void {
    if (!this.settings.redirectUris.has(redirectUri))
      throw badInput({ redirectUri: 'This redirect URI is not allowed.' });
  }

  private async consume(state: string): Promise<OAuthStateEntity | null> {
    if (!/^[\w-]{16,256}$/.test(state)) return null;
    return this.dataSource.transaction(async (manager) => {
      // The row lock makes a concurrent second use wait, then find nothing.
      const row = await manager.findOne(OAuthStateEntity, {
        where: { hash: hashState(state) },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) return null;
      await manager.delete(OAuthStateEntity, { hash: row.hash });
      return row.expiresAt > new Date() ? row : null;
    });
  }
}
