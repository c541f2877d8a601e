import type { RouteDef } from '../../router';
import { EndpointPage } from './endpoint';
import { EndpointsPage } from './endpoints';

export const routes: RouteDef[] = [
  { path: '/orgs/:id/webhooks', component: EndpointsPage, access: 'user' },
  { path: '/orgs/:id/webhooks/:endpointId', component: EndpointPage, access: 'user' },
];
