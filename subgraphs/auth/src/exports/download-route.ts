import type { KeyObject } from 'node:crypto';
import {
  CLAIMS_HEADER,
  exportDownloadOperation,
  sendJson,
  verifyForwardedClaims,
  type Logger,
  type ReplayGuard,
  type Route,
} from '@bastion/platform';
import type { DataExports } from './data-exports.service';

/** Where the gateway forwards `GET /exports/<id>?token=...` (as `?id=<id>&token=...`). */
export const EXPORT_DOWNLOAD_PATH = '/data-exports/download';

export interface DownloadRouteDeps {
  exports: DataExports;
  claimsKey: KeyObject;
  replayGuard: ReplayGuard;
  logger: Logger;
}

/**
 * A data export's download, reached only through the gateway: the link's token is the
 * credential; the caller the gateway's claims name (when a credential came with the request)
 * must be the export's user. The document goes out as an attachment, never cached.
 */
export function exportDownloadRoute(deps: DownloadRouteDeps): Route {
  return async (req, res) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const exportId = query.get('id') ?? '';
    const token = query.get('token') ?? '';
    const header = req.headers[CLAIMS_HEADER];
    const { viewer, rejection } = await verifyForwardedClaims(
      Array.isArray(header) ? header[0] : header,
      {
        audience: 'auth',
        operation: exportDownloadOperation(exportId, token),
        key: deps.claimsKey,
        replayGuard: deps.replayGuard,
      },
    );
    // Claims that came but do not verify name nobody: refuse rather than serve as anonymous,
    // or a forged header would be a way round the bearer check.
    if (header && rejection) {
      deps.logger.warn({ rejection }, 'export download claims refused');
      sendJson(res, 401, { error: 'UNAUTHENTICATED', message: 'The credential was refused.' });
      return;
    }
    const answer = await deps.exports.download(exportId, token, viewer);
    if (!answer.ok) {
      sendJson(
        res,
        answer.status,
        { error: answer.code, message: answer.message },
        {
          'cache-control': 'no-store',
        },
      );
      return;
    }
    sendJson(res, 200, answer.document, {
      'cache-control': 'no-store',
      'content-disposition': `attachment; filename="bastion-export-${exportId}.json"`,
    });
  };
}
