import type { RouteDef } from '../../router';
import { SsoPage } from './sso';

export const routes: RouteDef[] = [{ path: '/orgs/:id/sso', component: SsoPage, access: 'user' }];
