import type { BaseContext } from '@bastion/platform';
import type { GenerationRepository } from './generations/generation.repository';
import type { GenerationService } from './generations/generation.service';
import type { ModelCatalog } from './models/model-catalog';
import type { TemplateCatalog } from './templates/templates';

export interface AiContext extends BaseContext {
  models: ModelCatalog;
  templates: TemplateCatalog;
  generations: GenerationService;
  repository: GenerationRepository;
  maxPromptChars: number;
}
