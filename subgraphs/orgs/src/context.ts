import type { BaseContext } from '@bastion/platform';
import type { OrganizationService } from './organizations/organization.service';

export interface OrgsContext extends BaseContext {
  organizations: OrganizationService;
}
