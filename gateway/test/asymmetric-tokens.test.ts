import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  verify,
  type JsonWebKey,
} from 'node:crypto';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
} from '@bastion/testing';

describe.each([
  ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
] as const)('%s access tokens end to end', (algorithm, generate) => {
  let platform: TestPlatform;
  const { privateKey } = generate();

  beforeAll(async () => {
    platform = await startTestPlatform({
      JWT_ALGORITHM: algorithm,
      JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('signs with kid, publishes the key at /.well-known/jwks.json, and the published key verifies the token', async () => {
    const user = await registerUser(platform);
    const jwks = (await (
      await fetch(platform.gateway.url.replace('/graphql', '/.well-known/jwks.json'))
    ).json()) as { keys: (JsonWebKey & { kid: string; alg: string })[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ alg: algorithm, use: 'sig' });
    expect(JSON.stringify(jwks)).not.toMatch(/"d":/);
    // RFC 7638 by hand: the required members, sorted, no whitespace, SHA-256, base64url.
    const own = createPublicKey(privateKey).export({ format: 'jwk' });
    const members =
      own.kty === 'RSA'
        ? `{"e":"${own.e}","kty":"RSA","n":"${own.n}"}`
        : `{"crv":"${own.crv}","kty":"EC","x":"${own.x}","y":"${own.y}"}`;
    expect(jwks.keys[0].kid).toBe(createHash('sha256').update(members).digest('base64url'));
    const [header, payload, signature] = user.accessToken.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({
      alg: algorithm,
      kid: jwks.keys[0].kid,
    });
    const key = createPublicKey({ key: jwks.keys[0], format: 'jwk' });
    const data = Buffer.from(`${header}.${payload}`);
    const ok =
      algorithm === 'ES256'
        ? verify(
            'sha256',
            data,
            { key, dsaEncoding: 'ieee-p1363' },
            Buffer.from(signature, 'base64url'),
          )
        : verify('RSA-SHA256', data, key, Buffer.from(signature, 'base64url'));
    expect(ok).toBe(true);
    expect(
      (await platform.gql('{ me { id } }', {}, { token: user.accessToken })).body.data,
    ).toEqual({ me: { id: user.id } });
  });
});
