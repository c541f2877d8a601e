import { schemaOf } from '@bastion/platform';
import {
  eventually,
  registerUser,
  type GraphQLResponse,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

/** Calls the gateway's internal listener as a service with every scope (the development token). */
export function asService(platform: TestPlatform) {
  const headers = { 'x-service-token': platform.devServiceToken! };
  return <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> => platform.internal<T>(query, variables, { headers });
}

export const BALANCE = 'query ($u: ID!) { creditBalance(userId: $u) }';
export const USE = `mutation ($u: ID!, $a: Int!, $k: String!, $d: String, $o: ID) {
  useCredits(userId: $u, amount: $a, idempotencyKey: $k, description: $d, organizationId: $o) { id type amount balanceAfter idempotencyKey } }`;
export const ADD = `mutation ($u: ID!, $a: Int!, $k: String!, $t: TransactionType!, $d: String, $o: ID) {
  addCredits(userId: $u, amount: $a, type: $t, idempotencyKey: $k, description: $d, organizationId: $o) { id type amount balanceAfter } }`;
export const HOLD = `mutation ($u: ID!, $a: Int!, $k: String!, $e: Int, $o: ID) {
  holdCredits(userId: $u, amount: $a, idempotencyKey: $k, expiresInSeconds: $e, organizationId: $o) { id amount expiresAt createdAt } }`;
export const SETTLE =
  'mutation ($h: ID!, $a: Int!) { settleHold(holdId: $h, amount: $a) { id type amount balanceAfter } }';
export const RELEASE = 'mutation ($h: ID!) { releaseHold(holdId: $h) }';
export const MY_CREDITS =
  '{ me { credits { balance available holds { id amount expiresAt } transactions(first: 50) { edges { node { type amount } } } } } }';

/** A registered user whose account the USER_CREATED event has opened (with the configured grant). */
export async function userWithAccount(
  platform: TestPlatform,
  grant: number,
  options: { verified?: boolean } = {},
): Promise<TestUser> {
  const user = await registerUser(platform, options);
  const service = asService(platform);
  await eventually(async () => {
    const balance = await service<{ creditBalance: number }>(BALANCE, { u: user.id });
    if (balance.body.data?.creditBalance !== grant)
      throw new Error(`account not open yet: ${JSON.stringify(balance.body)}`);
  });
  return user;
}

/** The ledger as the database holds it: its sum and count, straight from SQL (not the service). */
export async function ledgerOf(
  platform: TestPlatform,
  userId: string,
): Promise<{ sum: number; count: number; balance: number; held: number }> {
  const ds = platform.credits.dataSource;
  const s = schemaOf(ds);
  const [ledger] = await ds.query(
    `SELECT coalesce(sum(amount), 0)::int AS sum, count(*)::int AS count FROM ${s}.credit_transactions WHERE user_id = $1`,
    [userId],
  );
  const [account] = await ds.query(
    `SELECT balance, held FROM ${s}.credit_accounts WHERE user_id = $1`,
    [userId],
  );
  return { sum: ledger.sum, count: ledger.count, balance: account?.balance, held: account?.held };
}

export function codeOf(response: GraphQLResponse): unknown {
  return response.body.errors?.[0]?.extensions?.code;
}
