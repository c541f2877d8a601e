import type { RouteDef } from '../../router';
import { AuditLogPage } from './audit-log';

export const routes: RouteDef[] = [
  { path: '/orgs/:id/audit', component: AuditLogPage, access: 'user' },
];
