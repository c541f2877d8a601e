import type { RouteDef } from '../../router';
import { AcceptInvitationPage } from './accept-invitation';
import { OrganizationPage } from './organization';
import { OrganizationsPage } from './organizations';

export const routes: RouteDef[] = [
  {
    path: '/orgs',
    component: OrganizationsPage,
    access: 'user',
    nav: { label: 'Organizations', order: 20 },
  },
  { path: '/orgs/:id', component: OrganizationPage, access: 'user' },
  { path: '/accept-invitation', component: AcceptInvitationPage, access: 'public' },
];
