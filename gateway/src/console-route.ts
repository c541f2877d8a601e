import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { CONSOLE_PATH } from '@bastion/platform';

/**
 * The web console (console/, built by scripts/build.mjs into console/dist) on the public listener
 * at /console: its files, and index.html for every other /console/* path (the console routes in
 * the browser). docs/configuration.md "Settings" (CONSOLE), docs/security.md "The web console".
 */
/** Where the built console is (beside gateway/ in the repository and in the image). */
export const CONSOLE_DIST = resolve(__dirname, '../../console/dist');

/**
 * The console's CSP: its own scripts, styles, images and API only (no inline code: the build emits
 * none), never framed, no <base>, forms post only here.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite's output under assets/ carries a content hash in every name: cached for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface ConsoleSite {
  /** Answers GET/HEAD under /console; false for any other path or method. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

/** A file of dist by its path under /console/, or null (outside dist, a directory, missing). */
async function fileOf(dist: string, relative: string): Promise<string | null> {
  // No NUL, and no dotfile (dist/.build-stamp.json is the build's, not the site's).
  if (relative.includes('\0') || relative.split('/').some((part) => part.startsWith('.')))
    return null;
  const file = resolve(dist, `.${sep}${relative}`);
  if (file !== dist && !file.startsWith(dist + sep)) return null;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- checked to be inside dist above
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: Buffer,
  headers: Record<string, string>,
): void {
  res.setHeader('content-security-policy', CONSOLE_CSP);
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function consoleSite(dist: string = CONSOLE_DIST): ConsoleSite {
  return {
    async serve(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return false;
      let relative: string;
      try {
        relative = decodeURIComponent(path.slice(CONSOLE_PATH.length + 1));
      } catch {
        relative = '';
      }
      const file = relative ? await fileOf(dist, relative) : null;
      if (file && !file.endsWith(`${sep}index.html`)) {
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- inside dist (fileOf)
        const body = await readFile(file);
        const hashed = relative.startsWith('assets/');
        send(req, res, 200, body, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': hashed ? IMMUTABLE : 'no-cache',
        });
        return true;
      }
      // A missing asset is a 404, never the page: a stale page asking for an old hash learns it.
      if (relative.startsWith('assets/')) {
        send(req, res, 404, Buffer.from('not found\n'), {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-cache',
        });
        return true;
      }
      let index: Buffer;
      try {
        // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file of dist
        index = await readFile(join(dist, 'index.html'));
      } catch {
        send(
          req,
          res,
          503,
          Buffer.from('The console is not built: run `npm run build` (or `npm start`).\n'),
          { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        );
        return true;
      }
      send(req, res, 200, index, {
        'content-type': TYPES['.html'] as string,
        'cache-control': 'no-cache',
      });
      return true;
    },
  };
}
