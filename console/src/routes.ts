import type { RouteDef } from './router';

/**
 * Every page area lists its routes in `pages/<area>/routes.ts` (`export const routes: RouteDef[]`);
 * they are found here at build time, so adding an area touches no shared file. Earlier files win
 * on equal paths; `routes` is sorted so static segments match before `:parameters`.
 */
const modules = import.meta.glob<{ routes: RouteDef[] }>('./pages/*/routes.ts', { eager: true });

export const ROUTES: readonly RouteDef[] = Object.keys(modules)
  .sort()
  .flatMap((key) => modules[key]?.routes ?? [])
  .sort((a, b) => Number(a.path.includes(':')) - Number(b.path.includes(':')));

/** The signed-in navigation: routes with `nav`, by order. */
export const NAV = ROUTES.filter((route) => route.nav && route.access === 'user').sort(
  (a, b) => (a.nav?.order ?? 0) - (b.nav?.order ?? 0),
);
