import { useQuery } from '@urql/preact';
import { graphql } from '../../generated';
import { Link, type RouteProps } from '../../router';
import { Loading, Notice, Page, QueryError } from '../../ui';

const HomeQuery = graphql(`
  query Home {
    me {
      id
      email
      displayName
      emailVerified
    }
  }
`);

export function HomePage({ query }: RouteProps) {
  const [{ data, fetching, error }] = useQuery({ query: HomeQuery });
  const me = data?.me;
  return (
    <Page title={me?.displayName ? `Welcome, ${me.displayName}` : 'Welcome'}>
      {query.get('welcome') && <Notice kind="success">Your account is ready.</Notice>}
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      {me && !me.emailVerified && (
        <Notice>
          We mailed a link to {me.email}. Open it to verify your address; some pages need it.
        </Notice>
      )}
      <p>
        <Link to="/security">Security settings</Link>
      </p>
    </Page>
  );
}
