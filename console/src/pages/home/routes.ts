import type { RouteDef } from '../../router';
import { HomePage } from './home';

export const routes: RouteDef[] = [
  { path: '/', component: HomePage, access: 'user', nav: { label: 'Home', order: 0 } },
];
