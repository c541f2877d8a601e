import { useEffect, useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { problemOf } from '../../api/errors';
import { BASE, type RouteProps } from '../../router';
import {
  Button,
  Empty,
  ErrorText,
  Loading,
  Notice,
  Page,
  Pager,
  QueryError,
  Section,
} from '../../ui';
import { When } from '../orgs/controls';
import { CreateCheckout, CreditsOverview } from './operations';

/** A price in the package's currency, e.g. "$5.00". */
export function price(cents: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

const TYPE_WORDS: Record<string, string> = {
  GRANT: 'Grant',
  PURCHASE: 'Purchase',
  USAGE: 'Usage',
  REFUND: 'Refund',
  ADJUSTMENT: 'Adjustment',
};

/** How long to keep asking for the purchase after Stripe sent the buyer back (its webhook may lag). */
const CONFIRM_POLL_MS = 2_000;
const CONFIRM_POLL_TIMES = 15;

export function CreditsPage({ query }: RouteProps) {
  const checkout = query.get('checkout');
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: CreditsOverview,
    variables: { after },
  });
  const [, createCheckout] = useMutation(CreateCheckout);
  const [buying, setBuying] = useState<string | null>(null);
  const [buyProblem, setBuyProblem] = useState<string | null>(null);
  const account = data?.me?.credits;
  const packages = data?.creditPackages ?? [];
  const transactions = account?.transactions.edges.map((edge) => edge.node) ?? [];
  const latestPurchase = transactions.find((t) => t.type === 'PURCHASE');
  const [waited, setWaited] = useState(0);
  // Back from a paid checkout: the purchase lands when Stripe's webhook arrives; ask again a while.
  const confirmed =
    checkout === 'success' &&
    latestPurchase !== undefined &&
    Date.now() - new Date(latestPurchase.createdAt).getTime() < 30 * 60_000;
  useEffect(() => {
    if (checkout !== 'success' || confirmed || waited >= CONFIRM_POLL_TIMES || !data) return;
    const timer = setTimeout(() => {
      setWaited((n) => n + 1);
      refetch({ requestPolicy: 'network-only' });
    }, CONFIRM_POLL_MS);
    return () => clearTimeout(timer);
  }, [checkout, confirmed, waited, data]);

  const held = (account?.holds ?? []).reduce((sum, hold) => sum + hold.amount, 0);
  return (
    <Page
      title="Credits"
      intro="Credits pay for AI generations. Holds reserve credits while a generation runs."
    >
      {checkout === 'success' &&
        (confirmed ? (
          <Notice kind="success">
            Thank you: {latestPurchase?.amount} credits were added to your balance.
          </Notice>
        ) : waited >= CONFIRM_POLL_TIMES ? (
          <Notice>
            Stripe has not confirmed the payment yet. It will appear here once it does.
          </Notice>
        ) : (
          <Loading label="Payment received; waiting for Stripe's confirmation…" />
        ))}
      {checkout === 'cancelled' && (
        <Notice>The checkout was cancelled; nothing was charged.</Notice>
      )}
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      {data && !account && <Empty>Your credit account is being opened. Reload in a moment.</Empty>}
      {account && (
        <Section title="Balance">
          <dl class="figures">
            <div>
              <dt>Balance</dt>
              <dd data-testid="balance">{account.balance}</dd>
            </div>
            <div>
              <dt>Available now</dt>
              <dd data-testid="available">{account.available}</dd>
            </div>
            <div>
              <dt>Held</dt>
              <dd data-testid="held">{held}</dd>
            </div>
          </dl>
          {account.balance < 0 && (
            <p class="error">
              A refund or dispute took back credits already spent: nothing can be spent until
              purchases cover the debt.
            </p>
          )}
          <h3>Holds</h3>
          {account.holds.length === 0 ? (
            <Empty>No running holds.</Empty>
          ) : (
            <ul class="rows">
              {account.holds.map((hold) => (
                <li key={hold.id} class="row">
                  <span>{hold.amount} credits held</span>
                  <span class="meta">
                    until <When at={hold.expiresAt} />
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
      {packages.length > 0 && (
        <Section title="Buy credits">
          <p class="hint">You pay on Stripe's checkout page and come back here.</p>
          <ErrorText message={buyProblem} />
          <ul class="packages">
            {packages.map((pkg) => (
              <li key={pkg.id} class="package">
                <strong>{pkg.name}</strong>
                <span>
                  {pkg.credits} credits for {price(pkg.priceCents, pkg.currency)}
                </span>
                <Button
                  busy={buying === pkg.id}
                  disabled={buying !== null}
                  aria-label={`Buy ${pkg.name}: ${pkg.credits} credits for ${price(pkg.priceCents, pkg.currency)}`}
                  onClick={async () => {
                    setBuying(pkg.id);
                    setBuyProblem(null);
                    const here = `${location.origin}${BASE}/credits`;
                    const result = await createCheckout({
                      packageId: pkg.id,
                      successUrl: `${here}?checkout=success`,
                      cancelUrl: `${here}?checkout=cancelled`,
                    });
                    const problem = problemOf(result.error, {
                      UPSTREAM_UNAVAILABLE:
                        'Payments are not available right now (Stripe is not configured or not answering).',
                      BAD_USER_INPUT:
                        'This server does not accept the console as the place to return to after paying (APP_URL).',
                    });
                    const url = result.data?.createCheckoutSession.url;
                    if (problem || !url) {
                      setBuying(null);
                      setBuyProblem(problem?.message ?? 'The checkout could not be opened.');
                      return;
                    }
                    location.assign(url);
                  }}
                >
                  Buy
                </Button>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {account && (
        <Section title="Transactions">
          {transactions.length === 0 ? (
            <Empty>No transactions yet.</Empty>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Ledger entries, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Type</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Balance after</th>
                    <th scope="col">Description</th>
                  </tr>
                </thead>
                <tbody>
                  {transactions.map((t) => (
                    <tr key={t.id}>
                      <td>
                        <When at={t.createdAt} />
                      </td>
                      <td>{TYPE_WORDS[t.type] ?? t.type}</td>
                      <td class="number">{t.amount > 0 ? `+${t.amount}` : t.amount}</td>
                      <td class="number">{t.balanceAfter}</td>
                      <td>{t.description ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager after={after} pageInfo={account.transactions.pageInfo} onPage={setAfter} />
        </Section>
      )}
    </Page>
  );
}
