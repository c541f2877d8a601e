import type { RouteDef } from '../../router';
import { PlaygroundPage } from './playground';

export const routes: RouteDef[] = [
  {
    path: '/ai',
    component: PlaygroundPage,
    access: 'user',
    nav: { label: 'AI playground', order: 40 },
  },
];
