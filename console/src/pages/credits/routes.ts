import type { RouteDef } from '../../router';
import { CreditsPage } from './credits';

export const routes: RouteDef[] = [
  {
    path: '/credits',
    component: CreditsPage,
    access: 'user',
    nav: { label: 'Credits', order: 30 },
  },
];
