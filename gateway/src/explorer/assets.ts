import { createHash } from 'node:crypto';

/** One file the explorer page loads, served from memory under a content-hashed name. */
export interface ExplorerAsset {
  body: Buffer;
  contentType: string;
}

export interface ExplorerAssets {
  /** By file name under ASSET_PREFIX. */
  files: Map<string, ExplorerAsset>;
  /** Hashed file names by role, for the page. */
  names: {
    script: string;
    boot: string;
    style: string;
    favicon: string;
    workers: Record<string, string>;
  };
}

/** Where the assets are served; relative to the listener's root. */
export const ASSET_PREFIX = '/explorer/assets/';

/**
 * Runs after the GraphiQL bundle: monaco's workers come from this origin (a blob: worker would need
 * a wider CSP), then the explorer renders with the options the page carries as inert JSON, so the
 * page needs no inline script at all. `/graphql?query=…` opens with that operation.
 */
const BOOT = `(function () {
  var config = JSON.parse(document.getElementById('explorer-config').textContent);
  var workers = {};
  Object.keys(config.workers).forEach(function (label) { workers[label] = new URL(config.workers[label], location.href).href; });
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) { return workers[label] || workers.editorWorkerService; },
  };
  // A link may carry the operation to open (?query=, as the development mail pages send): it wins
  // over the welcome text, which YogaGraphiQL would otherwise prefer.
  if (new URLSearchParams(location.search).has('query')) delete config.options.query;
  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), config.options);
})();
`;

const JS = 'text/javascript; charset=utf-8';

function named(
  files: Map<string, ExplorerAsset>,
  stem: string,
  extension: string,
  body: Buffer,
  contentType: string,
): string {
  // The name changes with the bytes, so a year-long immutable cache is never stale.
  const name = `${stem}-${createHash('sha256').update(body).digest('hex').slice(0, 16)}.${extension}`;
  files.set(name, { body, contentType });
  return name;
}

let loaded: Promise<ExplorerAssets> | undefined;

/**
 * The prebuilt GraphiQL of @graphql-yoga/render-graphiql (React, GraphiQL 5, monaco and its
 * workers, fonts inlined as data: URLs): every byte from node_modules, nothing from a CDN. Loaded on
 * the first explorer request, once per process: about 9 MB that a production gateway never reads.
 */
export function explorerAssets(): Promise<ExplorerAssets> {
  loaded ??= import('@graphql-yoga/render-graphiql/graphiql').then(build);
  return loaded;
}

function build(bundle: typeof import('@graphql-yoga/render-graphiql/graphiql')): ExplorerAssets {
  const files = new Map<string, ExplorerAsset>();
  const text = (value: string) => Buffer.from(value, 'utf8');
  const favicon = /^data:([^;]+);base64,(.*)$/s.exec(bundle.favicon);
  return {
    files,
    names: {
      script: named(files, 'graphiql', 'js', text(bundle.js), JS),
      boot: named(files, 'boot', 'js', text(BOOT), JS),
      style: named(files, 'graphiql', 'css', text(bundle.css), 'text/css; charset=utf-8'),
      favicon: named(
        files,
        'favicon',
        'ico',
        Buffer.from(favicon?.[2] ?? '', 'base64'),
        favicon?.[1] ?? 'image/x-icon',
      ),
      workers: {
        editorWorkerService: named(
          files,
          'editor-worker',
          'js',
          text(bundle.editorWorkerService),
          JS,
        ),
        json: named(files, 'json-worker', 'js', text(bundle.jsonWorker), JS),
        graphql: named(files, 'graphql-worker', 'js', text(bundle.graphqlWorker), JS),
      },
    },
  };
}
