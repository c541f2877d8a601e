/**
 * What a personal API key may be granted (README "API keys"). A field a key may reach names one of
 * these in its `@tier(capability:)`; `Query.apiKeyCapabilities` publishes the list. Spending
 * happens only through AI holds today, so `ai:generate` covers it; a `credits:spend` capability
 * waits for a user-facing spend field.
 */
export const API_KEY_CAPABILITIES = [
  'profile:read',
  'orgs:read',
  'orgs:write',
  'credits:read',
  'ai:generate',
] as const;
export type ApiKeyCapability = (typeof API_KEY_CAPABILITIES)[number];

/** Every key starts with it, so the gateway tells a key from a JWT or a service token at a glance. */
export const API_KEY_PREFIX = 'bk_';

export function isApiKeyCapability(value: string): value is ApiKeyCapability {
  return (API_KEY_CAPABILITIES as readonly string[]).includes(value);
}
