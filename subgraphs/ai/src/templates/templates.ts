import { badInput } from '@bastion/platform';
import type { TemplateEntry } from '../config';

export interface VariableInput {
  name: string;
  value: string;
}

const PLACEHOLDER = /\{\{([a-zA-Z][a-zA-Z0-9_]*)\}\}/g;

/**
 * Prompt templates kept on the server: a client names one and fills its variables; the system
 * prompt is assembled here and never travels to or from a client.
 */
export class TemplateCatalog {
  private readonly byId: Map<string, TemplateEntry>;

  constructor(readonly templates: readonly TemplateEntry[]) {
    this.byId = new Map(templates.map((t) => [t.id, t]));
  }

  /** The system prompt with every variable filled; BAD_USER_INPUT for anything unknown, missing or too long. */
  assemble(templateId: string, variables: readonly VariableInput[]): string {
    const template = this.byId.get(templateId);
    if (!template) throw badInput({ template: 'There is no such template.' });
    const values = new Map<string, string>();
    for (const { name, value } of variables) {
      const spec = template.variables.find((v) => v.name === name);
      if (!spec)
        throw badInput({ variables: `The template has no variable "${name.slice(0, 40)}".` });
      if (values.has(name)) throw badInput({ variables: `"${name}" is given twice.` });
      if (value.trim().length === 0) throw badInput({ variables: `"${name}" is empty.` });
      if (value.length > spec.maxLength)
        throw badInput({ variables: `"${name}" is longer than ${spec.maxLength} characters.` });
      values.set(name, value);
    }
    const missing = template.variables.find((v) => !values.has(v.name));
    if (missing) throw badInput({ variables: `"${missing.name}" is missing.` });
    // One pass: a value that itself looks like {{x}} is inserted as text, never expanded.
    return template.systemPrompt.replace(
      PLACEHOLDER,
      (whole, name: string) => values.get(name) ?? whole,
    );
  }
}
