import { useEffect, useState } from 'preact/hooks';
import { Provider } from '@urql/preact';
import { client, endSession, restoreSession } from './api/client';
import { useSession } from './api/session';
import { signOut } from './api/auth-operations';
import { Link, match, navigate, safeNext, useLocation } from './router';
import { NAV, ROUTES } from './routes';
import { Button, Loading, Page } from './ui';

/** The app: restores the session from the cookie once, then the shell around the current route. */
export function App() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    void restoreSession().finally(() => setReady(true));
  }, []);
  return (
    <Provider value={client}>
      <Shell ready={ready} />
    </Provider>
  );
}

function Shell(props: { ready: boolean }) {
  const session = useSession();
  const { path, query } = useLocation();
  const found = match(ROUTES, path);
  // Access rules: a signed-in page sends the signed-out to sign in (then back); the sign-in pages
  // send the signed-in on.
  const redirect = !props.ready
    ? null
    : found?.route.access === 'user' && !session
      ? `/sign-in?next=${encodeURIComponent(path + location.search)}`
      : found?.route.access === 'guest' && session
        ? safeNext(query.get('next'))
        : null;
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link to="/" class="brand">
          Bastion
        </Link>
        {session && (
          <nav aria-label="Main">
            <ul>
              {NAV.map((route) => (
                <li key={route.path}>
                  <Link to={route.path} aria-current={path === route.path ? 'page' : undefined}>
                    {route.nav?.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {session && (
          <div class="who">
            <span class="email">{session.user.email}</span>
            <Button
              kind="secondary"
              onClick={async () => {
                await signOut();
                endSession();
                navigate('/sign-in');
              }}
            >
              Sign out
            </Button>
          </div>
        )}
      </header>
      <main id="main">
        {!props.ready || redirect ? (
          <Loading />
        ) : found ? (
          <found.route.component params={found.params} query={query} />
        ) : (
          <NotFound />
        )}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        There is no page here. <Link to="/">Go to the start page</Link>.
      </p>
    </Page>
  );
}
