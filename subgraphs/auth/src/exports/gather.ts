import type { KeyObject } from 'node:crypto';
import { AppError, askInternalGateway } from '@bastion/platform';
import { authOwnKey, type AuthKeyRoots } from '../sessions/refresh-token';

/**
 * Every service's part, as UserDataExport's fields: a service added to the platform adds its
 * field to the entity and its name here.
 */
export const EXPORT_PARTS = ['auth', 'orgs', 'credits', 'ai', 'webhooks'] as const;

const EXPORT_QUERY = `query AuthUserDataExport($userId: ID!) {
  userDataExport(userId: $userId) { id ${EXPORT_PARTS.join(' ')} }
}`;

/** The document's format, for readers of older downloads. */
export const EXPORT_FORMAT = 'bastion-data-export/1';

/**
 * Asks every service for its part of the user's data in one operation through the gateway's
 * internal listener (auth's service token, scope users:export): the gateway fetches each part
 * from its service. Any error is the whole export's failure (a partial export would look
 * complete): UPSTREAM_UNAVAILABLE.
 */
export function exportGatherer(target: {
  url: () => string;
  serviceToken: () => string | undefined;
}) {
  return async (userId: string): Promise<Record<string, unknown>> => {
    const body = await askInternalGateway<{ userDataExport: Record<string, unknown> | null }>(
      {
        url: target.url,
        serviceToken: target.serviceToken,
        notConfigured: 'Data exports are not configured (AUTH_SERVICE_TOKEN).',
        unreachable: 'The services did not answer for the export.',
        timeoutMs: 30_000,
      },
      EXPORT_QUERY,
      { userId },
    );
    const parts = body.data?.userDataExport;
    if (body.errors?.length || !parts || !parts.auth)
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: `A service did not give its part of the export (${
          body.errors?.map((e) => e.extensions?.serviceName ?? e.message).join(', ') ?? 'no answer'
        }).`,
      });
    return {
      format: EXPORT_FORMAT,
      userId,
      exportedAt: new Date().toISOString(),
      ...Object.fromEntries(EXPORT_PARTS.map((name) => [name, parts[name] ?? null])),
    };
  };
}

/** The key of download links: auth's own (authOwnKey), under its own purpose. */
export function exportLinkKey(config: AuthKeyRoots): KeyObject {
  return authOwnKey(config, 'data-export-link');
}
