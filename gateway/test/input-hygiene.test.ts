import { ANONYMOUS, schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  uniqueEmail,
  type GraphQLResponse,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

/**
 * A NUL (PostgreSQL text refuses it) or an unpaired UTF-16 surrogate (not a character) in any
 * string is BAD_USER_INPUT with reason INVALID_STRING, whether it comes as a variable or as a
 * literal, and nothing is written. A forged pagination cursor is BAD_USER_INPUT too.
 */
describe('input hygiene', () => {
  let platform: TestPlatform;
  let user: TestUser;

  beforeAll(async () => {
    platform = await startTestPlatform();
    user = await registerUser(platform, { verified: true });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  // Each bad string in three spellings: a JSON variable, a GraphQL escape in the document, and the
  // raw character inside a document literal.
  const BAD = {
    NUL: { raw: 'bad\u0000value', escaped: '"bad\\u0000value"' },
    'lone surrogate': { raw: 'bad\uD800value', escaped: '"bad\\uD800value"' },
  };
  type Form = 'variable' | 'escaped literal' | 'raw literal';
  const FORMS: Form[] = ['variable', 'escaped literal', 'raw literal'];

  /** The string as it goes into the document (a literal) or `$v` with the raw value as variables. */
  function spell(
    bad: { raw: string; escaped: string },
    form: Form,
  ): { arg: string; variables: Record<string, unknown> } {
    if (form === 'variable') return { arg: '$v', variables: { v: bad.raw } };
    return {
      arg: form === 'escaped literal' ? bad.escaped : JSON.stringify(bad.raw),
      variables: {},
    };
  }
  const declare = (form: Form, type: string) => (form === 'variable' ? `($v: ${type})` : '');

  function expectInvalidString(response: GraphQLResponse) {
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'INVALID_STRING',
    });
  }

  const count = async (sql: string, params: unknown[]) =>
    Number((await platform.auth.dataSource.query(sql, params))[0].count);
  const users = () => schemaOf(platform.auth.dataSource);

  for (const [kind, bad] of Object.entries(BAD)) {
    for (const form of FORMS) {
      describe(`${kind} as a ${form}`, () => {
        it('register: refused, no user created', async () => {
          const email = uniqueEmail('hygiene');
          const { arg, variables } = spell(bad, form);
          const response = await platform.gql(
            `mutation${declare(form, 'String')} { register(input: { email: "${email}", password: "a long passphrase 42", displayName: ${arg} }) { accessToken } }`,
            variables,
          );
          expectInvalidString(response);
          expect(
            await count(`SELECT count(*) FROM ${users()}.users WHERE email = $1`, [email]),
          ).toBe(0);
        });

        it('login: refused, no session opened', async () => {
          const before = await count(
            `SELECT count(*) FROM ${users()}.sessions WHERE user_id = $1`,
            [user.id],
          );
          const { arg, variables } = spell(bad, form);
          const response = await platform.gql(
            `mutation${declare(form, 'String!')} { login(email: ${arg}, password: ${JSON.stringify(user.password)}) { accessToken } }`,
            variables,
          );
          expectInvalidString(response);
          expect(
            await count(`SELECT count(*) FROM ${users()}.sessions WHERE user_id = $1`, [user.id]),
          ).toBe(before);
        });

        it('updateProfile: refused, profile unchanged', async () => {
          const { arg, variables } = spell(bad, form);
          const response = await platform.gql(
            `mutation${declare(form, 'String')} { updateProfile(input: { displayName: ${arg} }) { id } }`,
            variables,
            { token: user.accessToken },
          );
          expectInvalidString(response);
          const me = await platform.gql<{ me: { displayName: string } }>(
            '{ me { displayName } }',
            {},
            { token: user.accessToken },
          );
          expect(me.body.data?.me.displayName).toBe('Test User');
        });

        it('createOrganization: refused, no organization created', async () => {
          const { arg, variables } = spell(bad, form);
          const response = await platform.gql(
            `mutation${declare(form, 'String!')} { createOrganization(name: ${arg}) { id } }`,
            variables,
            {
              token: user.accessToken,
            },
          );
          expectInvalidString(response);
          const mine = await platform.gql<{ myOrganizations: unknown[] }>(
            '{ myOrganizations { id } }',
            {},
            { token: user.accessToken },
          );
          expect(mine.body.data?.myOrganizations).toEqual([]);
        });
      });
    }
  }

  it('every subgraph refuses on its own, before tiers or resolvers run (a caller that bypasses the gateway)', async () => {
    const register = 'mutation($input: RegisterInput!) { register(input: $input) { accessToken } }';
    const viaVariable = await platform.subgraph('auth', ANONYMOUS, register, {
      input: {
        email: uniqueEmail('direct'),
        password: 'a long passphrase 42',
        displayName: BAD.NUL.raw,
      },
    });
    expectInvalidString(viaVariable);
    expectInvalidString(
      await platform.subgraph(
        'orgs',
        ANONYMOUS,
        `mutation { createOrganization(name: ${BAD.NUL.escaped}) { id } }`,
      ),
    );
    expectInvalidString(
      await platform.subgraph('credits', ANONYMOUS, '{ creditPackages { id } }', {
        unused: [{ deep: BAD['lone surrogate'].raw }],
      }),
    );
  });

  describe('pagination cursors', () => {
    const transactions = (after: string) =>
      platform.gql<{
        me: {
          credits: { transactions: { edges: unknown[]; pageInfo: { endCursor: string | null } } };
        };
      }>(
        'query($after: String) { me { credits { transactions(first: 1, after: $after) { edges { cursor } pageInfo { endCursor } } } } }',
        { after },
        { token: user.accessToken },
      );
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    const forged: Record<string, string> = {
      'not base64': '!!!not a cursor!!!',
      garbage: 'garbage',
      'a timestamp without an id': b64('2024-01-01T00:00:00.000Z'),
      'an id that is no uuid': b64('2024-01-01T00:00:00.000Z|not-a-uuid'),
      'a year out of range': b64(
        '+275760-09-13T00:00:00.000Z|00000000-0000-4000-8000-000000000000',
      ),
      'a SQL fragment': b64("2024-01-01T00:00:00.000Z|' OR 1=1 --"),
      'three parts': b64('2024-01-01T00:00:00.000Z|00000000-0000-4000-8000-000000000000|x'),
    };

    for (const [name, cursor] of Object.entries(forged)) {
      it(`${name}: BAD_USER_INPUT`, async () => {
        const response = await transactions(cursor);
        expect(response.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(JSON.stringify(response.body)).not.toContain('INTERNAL_SERVER_ERROR');
      });
    }

    it('a cursor the server issued still pages', async () => {
      const first = await transactions('');
      const endCursor = first.body.data?.me.credits.transactions.pageInfo.endCursor;
      expect(endCursor).toEqual(expect.any(String));
      const next = await transactions(endCursor as string);
      expect(next.body.errors).toBeUndefined();
    });
  });
});
