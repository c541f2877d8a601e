// A real OpenID provider for tests (oidc-provider), run in a child process because the library is
// ESM-only and keeps module-level state. Listens on 127.0.0.1 only and prints its issuer URL as the
// first line of stdout.
//
//   OIDC_TEST_CLIENTS  JSON array of { client_id, client_secret, redirect_uris }
//
// There is no login page: the test "signs in" by calling the interaction URL with the account it
// wants, `GET /interaction/:uid?sub=…&email=…&email_verified=true|false[&amr=pwd,mfa]`; the account's claims are
// remembered and served by findAccount from then on (the ID token and userinfo).
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const clients = JSON.parse(process.env.OIDC_TEST_CLIENTS ?? '[]').map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...client,
}));

/** sub -> claims, filled by the interaction endpoint. */
const accounts = new Map();

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: 'test-rs256',
  alg: 'RS256',
  use: 'sig',
};

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // amr with the openid scope: the ID token carries the login's amr (see ?amr= below).
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    // Every client must use PKCE, as the platform always does.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const claims = accounts.get(sub);
      if (!claims) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...claims }) };
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error));
  const handle = provider.callback();

  server.on('request', async (req, res) => {
    const url = new URL(req.url, issuer);
    const match = /^\/interaction\/([\w-]+)$/.exec(url.pathname);
    if (!match) return handle(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      const sub = url.searchParams.get('sub');
      if (!sub) throw new Error('the interaction needs ?sub=');
      const claims = {
        email: url.searchParams.get('email') ?? undefined,
        email_verified: url.searchParams.get('email_verified') === 'true',
      };
      if (url.searchParams.has('name')) claims.name = url.searchParams.get('name');
      accounts.set(sub, claims);
      // Login and consent in one step: grant whatever the client asked for.
      const grant = new provider.Grant({ accountId: sub, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      // ?amr=pwd,mfa: how the account "authenticated" (RFC 8176), for the ID token's amr.
      const amr = url.searchParams.get('amr')?.split(',');
      await provider.interactionFinished(
        req,
        res,
        {
          login: { accountId: sub, ...(amr ? { amr } : {}) },
          consent: { grantId: await grant.save() },
        },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res.statusCode = 400;
      res.end(String(error?.message ?? error));
    }
  });
  process.stdout.write(`${issuer}\n`);
});

process.on('SIGTERM', () => process.exit(0));
// The parent holds our stdin open: when it dies without stopping us, so do we.
process.stdin.on('end', () => process.exit(0)).resume();
