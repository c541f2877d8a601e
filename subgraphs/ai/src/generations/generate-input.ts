import { randomUUID } from 'node:crypto';
import {
  badInput,
  canonicalJson,
  findInvalidVariable,
  invalidStringError,
  sha256Hex,
} from '@bastion/platform';
import type { AIModel, ModelCatalog } from '../models/model-catalog';
import type { TemplateCatalog, VariableInput } from '../templates/templates';

/** GenerateTextInput, as GraphQL and POST /ai/stream both receive it. */
export interface GenerateInput {
  model: string;
  prompt: string;
  template?: string | null;
  variables?: VariableInput[] | null;
  maxOutputTokens?: number | null;
  idempotencyKey?: string | null;
}

export interface PreparedRequest {
  model: AIModel;
  template: string | null;
  systemPrompt?: string;
  /** The template's variables as quoted data (user content, never the system instruction). */
  variablesText?: string;
  prompt: string;
  maxOutputTokens: number;
  idempotencyKey: string;
  /** What the key is bound to: the same key with another request is a CONFLICT. */
  requestHash: string;
}

const KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_VARIABLES = 20;

/**
 * Validates everything a client sent and assembles the prompt; BAD_USER_INPUT names the field. A
 * NUL or an unpaired surrogate anywhere is refused as /graphql refuses it (reason INVALID_STRING),
 * so POST /ai/stream gets the same hygiene.
 */
export function prepareRequest(
  raw: unknown,
  catalogs: { models: ModelCatalog; templates: TemplateCatalog },
  maxPromptChars: number,
): PreparedRequest {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw badInput({ input: 'Send an object with model and prompt.' });
  const invalid = findInvalidVariable(raw);
  if (invalid) throw invalidStringError(`Field "${invalid}"`);
  const input = raw as Record<string, unknown>;
  if (typeof input.model !== 'string') throw badInput({ model: 'Name a model from aiModels.' });
  const model = catalogs.models.find(input.model);
  if (!model) throw badInput({ model: 'There is no such model; see aiModels.' });
  if (typeof input.prompt !== 'string' || input.prompt.trim().length === 0)
    throw badInput({ prompt: 'The prompt is empty.' });
  if (input.prompt.length > maxPromptChars)
    throw badInput({ prompt: `The prompt is longer than ${maxPromptChars} characters.` });
  const maxOutputTokens = input.maxOutputTokens ?? model.maxOutputTokens;
  if (
    !Number.isInteger(maxOutputTokens) ||
    (maxOutputTokens as number) < 1 ||
    (maxOutputTokens as number) > model.maxOutputTokens
  ) {
    throw badInput({ maxOutputTokens: `Use a number from 1 to ${model.maxOutputTokens}.` });
  }
  const key = input.idempotencyKey ?? null;
  if (key !== null && (typeof key !== 'string' || !KEY.test(key)))
    throw badInput({ idempotencyKey: 'Use 1 to 128 letters, digits, ".", "_", ":" or "-".' });
  const variables = input.variables ?? [];
  if (
    !Array.isArray(variables) ||
    variables.length > MAX_VARIABLES ||
    !variables.every(
      (v) =>
        v && typeof v === 'object' && typeof v.name === 'string' && typeof v.value === 'string',
    )
  ) {
    throw badInput({ variables: `Send at most ${MAX_VARIABLES} {name, value} pairs.` });
  }
  const template = input.template ?? null;
  if (template !== null && typeof template !== 'string')
    throw badInput({ template: 'Name a template from aiPromptTemplates.' });
  if (template === null && variables.length > 0)
    throw badInput({ variables: 'Variables need a template.' });
  const assembled =
    template === null
      ? undefined
      : catalogs.templates.assemble(template, variables as VariableInput[]);
  const pairs = (variables as VariableInput[]).map(({ name, value }) => [name, value]).sort();
  return {
    model,
    template,
    systemPrompt: assembled?.systemPrompt,
    variablesText: assembled?.variablesText,
    prompt: input.prompt,
    maxOutputTokens: maxOutputTokens as number,
    idempotencyKey: key ?? randomUUID(),
    requestHash: sha256Hex(
      canonicalJson([model.id, template, pairs, input.prompt, maxOutputTokens]),
    ),
  };
}
