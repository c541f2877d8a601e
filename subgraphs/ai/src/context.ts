import type { BaseContext } from '@bastion/platform';
import type { ModelCatalog } from './models/model-catalog';

export interface AiContext extends BaseContext {
  models: ModelCatalog;
}
