import { schemaOf } from '@bastion/platform';
import { Secret, TOTP } from 'otpauth';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startOidcProvider,
  startTestPlatform,
  type GraphQLResponse,
  type TestOidcProvider,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { REDIRECT_URI, account, oauthClient } from './oauth-flow';
import WebAuthnEmulator, {
  AuthenticatorEmulator,
  PasskeysCredentialsMemoryRepository,
  deserializeCredential,
  serializeCredential,
} from 'nid-webauthn-emulator';

/** The origin the browser runs the app on: APP_URL's default, on the default RP id `localhost`. */
const APP_ORIGIN = 'http://localhost:3000';
/** A configured origin on a subdomain of the RP id (the wrong-RP-id case needs one the browser accepts). */
const SUBDOMAIN_ORIGIN = 'https://app.localhost';

const REGISTRATION_OPTIONS = 'mutation { passkeyRegistrationOptions }';
const REGISTER = `mutation ($r: String!, $n: String) {
  registerPasskey(response: $r, name: $n) { factor { id kind name createdAt lastUsedAt } recoveryCodes }
}`;
const RENAME = 'mutation ($id: ID!, $n: String!) { renamePasskey(id: $id, name: $n) { id name } }';
const LOGIN_OPTIONS = 'mutation { passkeyLoginOptions }';
const PASSKEY_LOGIN =
  'mutation ($r: String!) { passkeyLogin(response: $r) { accessToken refreshToken user { id } } }';
const ME = '{ me { id mfaEnabled mfaFactors { id kind name lastUsedAt } } }';

type Registered = {
  registerPasskey: {
    factor: { id: string; kind: string; name: string; lastUsedAt: string | null };
    recoveryCodes: string[] | null;
  };
};
type SignedIn = {
  passkeyLogin: { accessToken: string; refreshToken: string; user: { id: string } };
};

/** An authenticator of its own (the emulator's default store is shared by every instance). */
function authenticator(repository = new PasskeysCredentialsMemoryRepository()) {
  return {
    repository,
    emulator: new WebAuthnEmulator(
      new AuthenticatorEmulator({ credentialsRepository: repository }),
    ),
  };
}

const codeOf = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions?.code;

/** The JWT's payload, read as any client would (no verification: the gateway already did it). */
function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
}

/** Flips one bit of a base64url field of the response. */
function tampered(responseJson: string, field: 'signature' | 'authenticatorData', index: number) {
  const parsed = JSON.parse(responseJson);
  const bytes = Buffer.from(parsed.response[field], 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  parsed.response[field] = bytes.toString('base64url');
  return JSON.stringify(parsed);
}

describe('passkeys end to end through the gateway', () => {
  let platform: TestPlatform;
  let provider: TestOidcProvider;

  beforeAll(async () => {
    provider = await startOidcProvider([REDIRECT_URI]);
    platform = await startTestPlatform({
      WEBAUTHN_ORIGINS: `${APP_ORIGIN},${SUBDOMAIN_ORIGIN}`,
      RATE_LIMIT_AUTH_PER_IP: '1000',
      OAUTH_REDIRECT_URIS: REDIRECT_URI,
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
    });
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await provider?.stop();
  }, PLATFORM_SETUP_MS);

  const schema = () => schemaOf(platform.auth.dataSource);

  async function registrationOptions(user: TestUser) {
    const response = await platform.gql<{ passkeyRegistrationOptions: string }>(
      REGISTRATION_OPTIONS,
      {},
      { token: user.accessToken },
    );
    return JSON.parse(response.body.data!.passkeyRegistrationOptions);
  }

  async function registerWith(
    user: TestUser,
    emulator: WebAuthnEmulator,
    name?: string,
    origin = APP_ORIGIN,
  ) {
    const credential = emulator.createJSON(origin, await registrationOptions(user));
    return platform.gql<Registered>(
      REGISTER,
      { r: JSON.stringify(credential), n: name },
      { token: user.accessToken },
    );
  }

  async function loginOptions() {
    const response = await platform.gql<{ passkeyLoginOptions: string }>(LOGIN_OPTIONS);
    return JSON.parse(response.body.data!.passkeyLoginOptions);
  }

  /** An assertion for a fresh passwordless challenge, as navigator.credentials.get returns it. */
  async function assertion(emulator: WebAuthnEmulator, origin = APP_ORIGIN) {
    return JSON.stringify(emulator.getJSON(origin, await loginOptions()));
  }

  const passkeyLogin = (response: string) => platform.gql<SignedIn>(PASSKEY_LOGIN, { r: response });

  async function sessionCount(userId: string): Promise<number> {
    const [row] = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema()}.sessions WHERE user_id = $1`,
      [userId],
    );
    return row.n;
  }

  /** A user with one registered passkey, on an authenticator of its own. */
  async function userWithPasskey(options: { verified?: boolean } = {}) {
    const user = await registerUser(platform, options);
    const device = authenticator();
    const registered = await registerWith(user, device.emulator);
    expect(registered.body.errors).toBeUndefined();
    return { user, ...device, factorId: registered.body.data!.registerPasskey.factor.id };
  }

  it('answers options for the configured relying party, discoverable and with the agreed algorithms', async () => {
    const user = await registerUser(platform);
    const creation = await registrationOptions(user);
    expect(creation.rp).toEqual({ id: 'localhost', name: 'Bastion' });
    expect(creation.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'preferred',
    });
    expect(creation.attestation).toBe('none');
    expect(creation.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual([-7, -257]);
    // The user handle is the user's id as 16 bytes, not their email.
    expect(Buffer.from(creation.user.id, 'base64url').toString('hex')).toBe(
      user.id.replace(/-/g, ''),
    );
    const request = await loginOptions();
    expect(request.rpId).toBe('localhost');
    expect(request.userVerification).toBe('required');
    expect(request.allowCredentials ?? []).toEqual([]);
    const [stored] = await platform.auth.dataSource.query(
      `SELECT purpose, user_id, extract(epoch FROM expires_at - created_at)::int AS ttl FROM ${schema()}.webauthn_challenges WHERE challenge = $1`,
      [request.challenge],
    );
    expect(stored).toEqual({ purpose: 'LOGIN', user_id: null, ttl: 300 });
  });

  it('registers a passkey after a password sign-in, lists it and renames it; a second one gets no recovery codes', async () => {
    const user = await registerUser(platform);
    const first = await registerWith(user, authenticator().emulator, 'Laptop');
    expect(first.body.errors).toBeUndefined();
    const confirmation = first.body.data!.registerPasskey;
    expect(confirmation.factor).toMatchObject({
      kind: 'PASSKEY',
      name: 'Laptop',
      lastUsedAt: null,
    });
    expect(confirmation.recoveryCodes).toHaveLength(10);

    const second = await registerWith(user, authenticator().emulator);
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data!.registerPasskey.factor.name).toBe('Passkey');
    expect(second.body.data!.registerPasskey.recoveryCodes).toBeNull();

    const me = await platform.gql<{
      me: { mfaEnabled: boolean; mfaFactors: { id: string; kind: string; name: string }[] };
    }>(ME, {}, { token: user.accessToken });
    expect(me.body.data!.me.mfaEnabled).toBe(true);
    expect(me.body.data!.me.mfaFactors.map((f) => [f.kind, f.name])).toEqual([
      ['PASSKEY', 'Laptop'],
      ['PASSKEY', 'Passkey'],
    ]);

    const id = confirmation.factor.id;
    const renamed = await platform.gql(
      RENAME,
      { id, n: '  Work laptop ' },
      { token: user.accessToken },
    );
    expect(renamed.body.data).toEqual({ renamePasskey: { id, name: 'Work laptop' } });
    expect(codeOf(await platform.gql(RENAME, { id, n: '' }, { token: user.accessToken }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      codeOf(await platform.gql(RENAME, { id, n: 'x'.repeat(101) }, { token: user.accessToken })),
    ).toBe('BAD_USER_INPUT');
    const stranger = await registerUser(platform);
    expect(
      codeOf(await platform.gql(RENAME, { id, n: 'mine' }, { token: stranger.accessToken })),
    ).toBe('NOT_FOUND');
    expect(
      codeOf(await platform.gql(RENAME, { id: 'nope', n: 'mine' }, { token: user.accessToken })),
    ).toBe('NOT_FOUND');
  });

  it('holds at most twenty passkeys per account', async () => {
    const user = await registerUser(platform);
    await platform.auth.dataSource.query(
      `INSERT INTO ${schema()}.mfa_factors (id, user_id, kind, name, created_at, confirmed_at, credential_id, public_key, sign_count)
       SELECT gen_random_uuid(), $1::uuid, 'PASSKEY', 'Key ' || n, now(), now(), 'cred-' || $1::text || '-' || n, '\\x00'::bytea, 0
       FROM generate_series(1, 20) AS n`,
      [user.id],
    );
    const options = await platform.gql(REGISTRATION_OPTIONS, {}, { token: user.accessToken });
    expect(codeOf(options)).toBe('CONFLICT');
  });

  it('signs in with the passkey alone: a multi-factor session', async () => {
    const { user, emulator, factorId } = await userWithPasskey();
    const signedIn = await passkeyLogin(await assertion(emulator));
    expect(signedIn.body.errors).toBeUndefined();
    const payload = signedIn.body.data!.passkeyLogin;
    expect(payload.user.id).toBe(user.id);
    const claims = claimsOf(payload.accessToken);
    expect(claims.sub).toBe(user.id);
    // RFC 8176: the emulator's credential is backed up (synced), so `swk`; UV makes it `user` + `mfa`.
    expect(claims.amr).toEqual(expect.arrayContaining(['swk', 'user', 'mfa']));
    const me = await platform.gql<{
      me: { mfaFactors: { id: string; lastUsedAt: string | null }[] };
    }>(ME, {}, { token: payload.accessToken });
    expect(me.body.data!.me.mfaFactors.find((f) => f.id === factorId)!.lastUsedAt).not.toBeNull();
    const [row] = await platform.auth.dataSource.query(
      `SELECT sign_count FROM ${schema()}.mfa_factors WHERE id = $1`,
      [factorId],
    );
    expect(Number(row.sign_count)).toBe(1);
  });

  it('refuses a tampered assertion with INVALID_CREDENTIALS, opens no session, and burns the challenge', async () => {
    const { user, emulator } = await userWithPasskey();
    const before = await sessionCount(user.id);

    const genuine = await assertion(emulator);
    expect(codeOf(await passkeyLogin(tampered(genuine, 'signature', 10)))).toBe(
      'INVALID_CREDENTIALS',
    );
    // The challenge went with the refused attempt: the genuine response for it no longer works.
    expect(codeOf(await passkeyLogin(genuine))).toBe('INVALID_TOKEN');

    // authenticatorData: rpIdHash (32 bytes), flags (1), then the counter (4, big-endian): byte 36
    // is the counter's low byte.
    const other = await assertion(emulator);
    expect(codeOf(await passkeyLogin(tampered(other, 'authenticatorData', 36)))).toBe(
      'INVALID_CREDENTIALS',
    );
    expect(await sessionCount(user.id)).toBe(before);
    const failures = await platform.auth.dataSource.query(
      `SELECT data FROM ${schema()}.outbox WHERE type = 'AUDIT_RECORDED' AND data->>'action' = 'user.login_failed' AND data->>'targetId' = $1`,
      [user.id],
    );
    expect(
      failures.map((f: { data: { metadata: { method: string } } }) => f.data.metadata.method),
    ).toEqual(['passkey', 'passkey']);
  });

  it('refuses a replayed challenge with INVALID_TOKEN the second time', async () => {
    const { user, emulator } = await userWithPasskey();
    const response = await assertion(emulator);
    expect((await passkeyLogin(response)).body.errors).toBeUndefined();
    const sessions = await sessionCount(user.id);
    expect(codeOf(await passkeyLogin(response))).toBe('INVALID_TOKEN');
    expect(await sessionCount(user.id)).toBe(sessions);
  });

  it('lets one of two concurrent uses of a response through', async () => {
    const { user, emulator } = await userWithPasskey();
    const response = await assertion(emulator);
    const before = await sessionCount(user.id);
    const outcomes = await Promise.all([passkeyLogin(response), passkeyLogin(response)]);
    expect(outcomes.map((o) => codeOf(o) ?? 'OK').sort()).toEqual(['INVALID_TOKEN', 'OK']);
    expect(await sessionCount(user.id)).toBe(before + 1);
  });

  it('counts passwordless options and sign-ins toward the per-address limit', async () => {
    const { emulator } = await userWithPasskey();
    const counted = jest.spyOn(platform.auth.services.limits, 'countAttempt');
    try {
      const response = await assertion(emulator);
      expect(counted).toHaveBeenCalledTimes(1);
      expect(codeOf(await passkeyLogin(tampered(response, 'signature', 10)))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(counted).toHaveBeenCalledTimes(2);
    } finally {
      counted.mockRestore();
    }
  });

  it('refuses an expired challenge and a challenge of another purpose with INVALID_TOKEN', async () => {
    const { user, emulator } = await userWithPasskey();
    const options = await loginOptions();
    await platform.auth.dataSource.query(
      `UPDATE ${schema()}.webauthn_challenges SET expires_at = now() - interval '1 second' WHERE challenge = $1`,
      [options.challenge],
    );
    expect(codeOf(await passkeyLogin(JSON.stringify(emulator.getJSON(APP_ORIGIN, options))))).toBe(
      'INVALID_TOKEN',
    );
    // A registration challenge signed as an assertion.
    const creation = await registrationOptions(user);
    const crossed = emulator.getJSON(APP_ORIGIN, {
      challenge: creation.challenge,
      rpId: 'localhost',
      userVerification: 'required',
    });
    expect(codeOf(await passkeyLogin(JSON.stringify(crossed)))).toBe('INVALID_TOKEN');
  });

  it('refuses a ceremony from an origin that is not configured', async () => {
    const { emulator } = await userWithPasskey();
    // A browser would run it (same RP id), but the page is not one of WEBAUTHN_ORIGINS.
    expect(codeOf(await passkeyLogin(await assertion(emulator, 'http://localhost:4999')))).toBe(
      'INVALID_CREDENTIALS',
    );
    const user = await registerUser(platform);
    const registered = await registerWith(
      user,
      authenticator().emulator,
      undefined,
      'http://localhost:4999',
    );
    expect(codeOf(registered)).toBe('INVALID_CREDENTIALS');
    expect(
      (await platform.gql<{ me: { mfaFactors: unknown[] } }>(ME, {}, { token: user.accessToken }))
        .body.data!.me.mfaFactors,
    ).toEqual([]);
  });

  it('refuses a ceremony for another relying-party id', async () => {
    // Registration: the page on a configured origin asks the authenticator for rp app.localhost.
    const user = await registerUser(platform);
    const options = await registrationOptions(user);
    const credential = authenticator().emulator.createJSON(SUBDOMAIN_ORIGIN, {
      ...options,
      rp: { ...options.rp, id: 'app.localhost' },
    });
    expect(
      codeOf(
        await platform.gql(
          REGISTER,
          { r: JSON.stringify(credential) },
          { token: user.accessToken },
        ),
      ),
    ).toBe('INVALID_CREDENTIALS');

    // Assertion: the registered key, signing for rp app.localhost (its authenticator data's RP id hash).
    const { repository } = await userWithPasskey();
    const saved = JSON.parse(serializeCredential(repository.loadCredentials()[0]!));
    saved.publicKeyCredentialSource.rpId = 'app.localhost';
    const elsewhere = authenticator();
    elsewhere.repository.saveCredential(deserializeCredential(JSON.stringify(saved)));
    const request = { ...(await loginOptions()), rpId: 'app.localhost' };
    const response = elsewhere.emulator.getJSON(SUBDOMAIN_ORIGIN, request);
    expect(codeOf(await passkeyLogin(JSON.stringify(response)))).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a signature counter that goes backwards (a cloned authenticator) and records it', async () => {
    const { user, emulator, repository, factorId } = await userWithPasskey();
    expect((await passkeyLogin(await assertion(emulator))).body.errors).toBeUndefined();
    // A copy of the authenticator as it was at counter 1 ...
    const copy = serializeCredential(repository.loadCredentials()[0]!);
    expect((await passkeyLogin(await assertion(emulator))).body.errors).toBeUndefined();
    const clone = authenticator();
    clone.repository.saveCredential(deserializeCredential(copy));
    // ... signs with counter 2, which the original already used.
    const before = await sessionCount(user.id);
    expect(codeOf(await passkeyLogin(await assertion(clone.emulator)))).toBe('INVALID_CREDENTIALS');
    expect(await sessionCount(user.id)).toBe(before);
    const [row] = await platform.auth.dataSource.query(
      `SELECT sign_count FROM ${schema()}.mfa_factors WHERE id = $1`,
      [factorId],
    );
    expect(Number(row.sign_count)).toBe(2);
    const audit = await platform.auth.dataSource.query(
      `SELECT data FROM ${schema()}.outbox WHERE type = 'AUDIT_RECORDED' AND data->>'action' = 'mfa.passkey_counter_regressed' AND data->>'targetId' = $1`,
      [user.id],
    );
    expect(audit).toHaveLength(1);
    // The original keeps working.
    expect((await passkeyLogin(await assertion(emulator))).body.errors).toBeUndefined();
  });

  it('answers malformed WebAuthn JSON with BAD_USER_INPUT', async () => {
    const user = await registerUser(platform);
    for (const junk of [
      '{',
      '[]',
      '{"id":1}',
      'x'.repeat(70_000),
      JSON.stringify({
        id: 'a',
        rawId: 'a',
        type: 'public-key',
        response: { clientDataJSON: 'bm90IGpzb24' },
      }),
    ]) {
      expect(codeOf(await passkeyLogin(junk))).toBe('BAD_USER_INPUT');
      expect(codeOf(await platform.gql(REGISTER, { r: junk }, { token: user.accessToken }))).toBe(
        'BAD_USER_INPUT',
      );
    }
  });

  it("keeps the refusals of the PasskeyVerifier port when the caller's transaction rolls back", async () => {
    const { user, emulator, factorId } = await userWithPasskey();
    const passkeys = platform.auth.services.passkeys;
    const inTransaction = (check: Parameters<typeof passkeys.verifyAssertion>[1]) =>
      platform.auth.dataSource.transaction((manager) => passkeys.verifyAssertion(manager, check));
    const signed = async (userId: string | null, mfaTokenHash?: string) => {
      const options = JSON.parse(
        await passkeys.authenticationOptions(userId ? 'MFA' : 'LOGIN', userId, mfaTokenHash),
      );
      expect(options.allowCredentials.map((c: { id: string }) => c.id)).toHaveLength(
        userId ? 1 : 0,
      );
      return JSON.stringify(emulator.getJSON(APP_ORIGIN, options));
    };

    const genuine = await signed(user.id, 'token-a');
    await expect(
      inTransaction({
        purpose: 'MFA',
        response: tampered(genuine, 'signature', 10),
        userId: user.id,
        mfaTokenHash: 'token-a',
      }),
    ).rejects.toMatchObject({ extensions: { code: 'INVALID_CREDENTIALS' } });
    const challenge = JSON.parse(
      Buffer.from(JSON.parse(genuine).response.clientDataJSON, 'base64url').toString(),
    ).challenge;
    await eventually(async () => {
      const [row] = await platform.auth.dataSource.query(
        `SELECT used_at FROM ${schema()}.webauthn_challenges WHERE challenge = $1`,
        [challenge],
      );
      expect(row.used_at).not.toBeNull();
    });
    await expect(
      inTransaction({
        purpose: 'MFA',
        response: genuine,
        userId: user.id,
        mfaTokenHash: 'token-a',
      }),
    ).rejects.toMatchObject({ extensions: { code: 'INVALID_TOKEN' } });

    // A challenge of another sign-in (mfaToken), or checked for another user, is refused.
    await expect(
      inTransaction({
        purpose: 'MFA',
        response: await signed(user.id, 'token-a'),
        userId: user.id,
        mfaTokenHash: 'token-b',
      }),
    ).rejects.toMatchObject({ extensions: { code: 'INVALID_TOKEN' } });
    const stranger = await registerUser(platform);
    await expect(
      inTransaction({ purpose: 'LOGIN', response: await signed(null), userId: stranger.id }),
    ).rejects.toMatchObject({ extensions: { code: 'INVALID_TOKEN' } });

    await expect(
      inTransaction({
        purpose: 'MFA',
        response: await signed(user.id, 'token-c'),
        userId: user.id,
        mfaTokenHash: 'token-c',
      }),
    ).resolves.toEqual({ userId: user.id, factorId, method: 'swk', userVerified: true });
  });

  it('does not sign in a deleted account with its passkey', async () => {
    const { user, emulator } = await userWithPasskey({ verified: true });
    const session = (await passkeyLogin(await assertion(emulator))).body.data!.passkeyLogin;
    const deleted = await platform.gql(
      'mutation ($p: String!) { deleteAccount(password: $p) }',
      { p: user.password },
      { token: session.accessToken },
    );
    expect(deleted.body).toEqual({ data: { deleteAccount: true } });
    expect(codeOf(await passkeyLogin(await assertion(emulator)))).toBe('INVALID_CREDENTIALS');
  });
  describe('in the sign-in state machine', () => {
    const LOGIN =
      'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
    const MFA_OPTIONS = 'mutation ($t: String!) { mfaPasskeyOptions(mfaToken: $t) }';
    const VERIFY =
      'mutation ($t: String!, $p: String) { verifyMfa(mfaToken: $t, passkeyResponse: $p) { accessToken user { id } } }';
    const STEP_UP_OPTIONS = 'mutation { stepUpPasskeyOptions }';
    const STEP_UP = 'mutation ($p: String) { stepUp(passkeyResponse: $p) { accessToken } }';

    /** The second step with the passkey, as the app does it after MFA_REQUIRED. */
    async function answerWithPasskey(mfaToken: string, emulator: WebAuthnEmulator) {
      const options = await platform.gql<{ mfaPasskeyOptions: string }>(MFA_OPTIONS, {
        t: mfaToken,
      });
      return JSON.stringify(
        emulator.getJSON(APP_ORIGIN, JSON.parse(options.body.data!.mfaPasskeyOptions)),
      );
    }

    // First factor x enrolled factors -> where it ends, and the access token's amr (RFC 8176).
    // The emulator's passkeys are synced (backup state set): `swk`.
    const TABLE: [
      first: 'login' | 'oauthLogin' | 'passkeyLogin',
      factors: 'PASSKEY' | 'TOTP+PASSKEY',
      outcome: 'session' | 'MFA_REQUIRED',
      factorsOffered: string[] | null,
      amr: string[],
    ][] = [
      ['login', 'PASSKEY', 'MFA_REQUIRED', ['PASSKEY', 'RECOVERY_CODE'], ['pwd', 'swk', 'mfa']],
      [
        'login',
        'TOTP+PASSKEY',
        'MFA_REQUIRED',
        ['TOTP', 'PASSKEY', 'RECOVERY_CODE'],
        ['pwd', 'swk', 'mfa'],
      ],
      [
        'oauthLogin',
        'PASSKEY',
        'MFA_REQUIRED',
        ['PASSKEY', 'RECOVERY_CODE'],
        ['fed', 'swk', 'mfa'],
      ],
      ['passkeyLogin', 'PASSKEY', 'session', null, ['swk', 'user', 'mfa']],
      ['passkeyLogin', 'TOTP+PASSKEY', 'session', null, ['swk', 'user', 'mfa']],
    ];

    it.each(TABLE)(
      '%s with factors %s -> %s',
      async (first, factors, outcome, factorsOffered, amr) => {
        const device = authenticator();
        let token: string;
        let userId: string;
        let signIn: () => Promise<GraphQLResponse>;
        if (first === 'oauthLogin') {
          const oauth = oauthClient(platform, provider);
          const who = account();
          const firstSignIn = await oauth.signIn('oidc', who);
          token = firstSignIn.accessToken;
          userId = firstSignIn.user.id;
          signIn = async () => oauth.login('oidc', await oauth.callback('oidc', who)) as never;
        } else {
          const user = await registerUser(platform);
          token = user.accessToken;
          userId = user.id;
          signIn =
            first === 'login'
              ? () => platform.gql(LOGIN, { e: user.email, p: user.password })
              : async () => passkeyLogin(await assertion(device.emulator));
        }
        if (factors === 'TOTP+PASSKEY') {
          const enrolled = await platform.gql<{ enrollTotp: { factorId: string; secret: string } }>(
            'mutation { enrollTotp { factorId secret } }',
            {},
            { token },
          );
          const { factorId, secret } = enrolled.body.data!.enrollTotp;
          const code = TOTP.generate({
            secret: Secret.fromBase32(secret),
            algorithm: 'SHA1',
            digits: 6,
            period: 30,
          });
          const confirmed = await platform.gql(
            'mutation ($id: ID!, $c: String!) { confirmTotp(factorId: $id, code: $c) { factor { id } } }',
            { id: factorId, c: code },
            { token },
          );
          expect(confirmed.body.errors).toBeUndefined();
        }
        const registered = await registerWith({ accessToken: token } as TestUser, device.emulator);
        expect(registered.body.errors).toBeUndefined();

        const before = await sessionCount(userId);
        const response = await signIn();
        let accessToken: string;
        if (outcome === 'session') {
          expect(response.body.errors).toBeUndefined();
          accessToken = (Object.values(response.body.data!)[0] as { accessToken: string })
            .accessToken;
        } else {
          expect(codeOf(response)).toBe('MFA_REQUIRED');
          const extensions = response.body.errors![0]!.extensions!;
          expect(extensions.factors).toEqual(factorsOffered);
          expect(await sessionCount(userId)).toBe(before);
          const mfaToken = extensions.mfaToken as string;
          // A tampered assertion is a wrong answer: no session, and its challenge is spent.
          const genuine = await answerWithPasskey(mfaToken, device.emulator);
          expect(
            codeOf(
              await platform.gql(VERIFY, { t: mfaToken, p: tampered(genuine, 'signature', 10) }),
            ),
          ).toBe('INVALID_CREDENTIALS');
          expect(codeOf(await platform.gql(VERIFY, { t: mfaToken, p: genuine }))).toBe(
            'INVALID_TOKEN',
          );
          expect(await sessionCount(userId)).toBe(before);
          const done = await platform.gql<{ verifyMfa: { accessToken: string } }>(VERIFY, {
            t: mfaToken,
            p: await answerWithPasskey(mfaToken, device.emulator),
          });
          expect(done.body.errors).toBeUndefined();
          accessToken = done.body.data!.verifyMfa.accessToken;
        }
        expect(claimsOf(accessToken)).toMatchObject({ sub: userId, amr });
        expect(await sessionCount(userId)).toBe(before + 1);
      },
    );

    it('steps up with a passkey: the same session gets a fresh auth_time and mfa', async () => {
      const user = await registerUser(platform);
      const device = authenticator();
      expect((await registerWith(user, device.emulator)).body.errors).toBeUndefined();
      // The registration session (a password) is older than the step-up window.
      await platform.auth.dataSource.query(
        `UPDATE ${schema()}.sessions SET auth_time = now() - interval '1 hour' WHERE user_id = $1`,
        [user.id],
      );
      const options = await platform.gql<{ stepUpPasskeyOptions: string }>(
        STEP_UP_OPTIONS,
        {},
        { token: user.accessToken },
      );
      const request = JSON.parse(options.body.data!.stepUpPasskeyOptions);
      expect(request.allowCredentials).toHaveLength(1);
      const response = JSON.stringify(device.emulator.getJSON(APP_ORIGIN, request));
      const stepped = await platform.gql<{ stepUp: { accessToken: string } }>(
        STEP_UP,
        { p: response },
        { token: user.accessToken },
      );
      expect(stepped.body.errors).toBeUndefined();
      const claims = claimsOf(stepped.body.data!.stepUp.accessToken);
      expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'swk', 'mfa']));
      expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(60);
      // The same response again: its challenge is spent.
      expect(
        codeOf(await platform.gql(STEP_UP, { p: response }, { token: user.accessToken })),
      ).toBe('INVALID_TOKEN');
    });
  });
});
