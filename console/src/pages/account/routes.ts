import type { RouteDef } from '../../router';
import { ProfilePage } from './profile';
import { SecurityPage } from './security';

export const routes: RouteDef[] = [
  {
    path: '/profile',
    component: ProfilePage,
    access: 'user',
    nav: { label: 'Profile', order: 80 },
  },
  {
    path: '/security',
    component: SecurityPage,
    access: 'user',
    nav: { label: 'Security', order: 90 },
  },
];
