import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * A tiny history router under /console/ (import.meta.env.BASE_URL). Paths in the console's code
 * are written without the base: `navigate('/security')` shows /console/security.
 */
export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

/** Who may open a route: anyone, only the signed-out (sign in, sign up), or only the signed-in. */
export type Access = 'public' | 'guest' | 'user';

export interface RouteDef {
  /** Without the base, e.g. '/security' or '/orgs/:id' (a `:name` segment is a parameter). */
  path: string;
  component: ComponentType<RouteProps>;
  access: Access;
  /** Shown in the shell's navigation (signed-in routes only) when set; lower `order` first. */
  nav?: { label: string; order: number };
}

export interface RouteProps {
  /** The `:name` segments of the path. */
  params: Record<string, string>;
  /** The query string. */
  query: URLSearchParams;
}

/** The path without the base and the query, e.g. '/security'. */
export function currentPath(): string {
  const path = location.pathname.startsWith(BASE)
    ? location.pathname.slice(BASE.length)
    : location.pathname;
  return path === '' ? '/' : path;
}

/** Path plus query, for `?next=` after a sign-in. */
export function currentLocation(): string {
  return currentPath() + location.search;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

/** Goes to a console path ('/security', '/sign-in?next=%2Fsecurity'). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = BASE + (to.startsWith('/') ? to : `/${to}`);
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((listener) => listener());
  if (!options.replace) window.scrollTo(0, 0);
}

/** A `next` parameter only when it is a console path (never another site: no open redirect). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}

/** Re-renders on every navigation; returns the current path and query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((tick) => tick + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return { path: currentPath(), query: new URLSearchParams(location.search) };
}

/** The route for `path` and its parameters; null when none matches. */
export function match(
  routes: readonly RouteDef[],
  path: string,
): { route: RouteDef; params: Record<string, string> } | null {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    pattern.forEach((segment, index) => {
      const part = parts[index] ?? '';
      if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(part);
      else if (segment !== part) ok = false;
    });
    if (ok) return { route, params };
  }
  return null;
}

/**
 * An in-console link: a real <a href> (so it opens in a new tab, is focusable and announced as a
 * link) whose plain click navigates without a reload.
 */
export function Link(props: {
  to: string;
  children: preact.ComponentChildren;
  class?: string;
  'aria-current'?: 'page';
}) {
  return (
    <a
      href={BASE + props.to}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
          return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
