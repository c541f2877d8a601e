import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile this reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  /** Self time per request, microseconds. */
  usPerRequest: number;
  share: number;
}

export interface ProfileSummary {
  busyMs: number;
  usPerRequest: number;
  byPackage: ProfileRow[];
  byFunction: ProfileRow[];
}

/** Where a frame's code lives: a node_modules package, a workspace of this repository, or Node/V8. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  // Node's own code by area (http, streams, crypto, async_hooks...), so "node" is not one opaque row.
  if (url.startsWith('node:'))
    return url
      .replace(/^node:(internal\/)?([^/]+).*$/, 'node:$2')
      .replace(/^node:(_http_\w+|http)$/, 'node:http');
  const workspace = /\/(gateway|packages\/[^/]+|subgraphs\/[^/]+|bench)\/dist\//.exec(url);
  if (workspace) return `bastion:${workspace[1]}`;
  return url;
}

/**
 * Self time by package and by function, per request, over the samples taken in the given windows,
 * each { startMs, endMs } counted back from the profile's end (the load's windows), so start-up,
 * shut-down and other scenarios stay out. No windows: the whole profile.
 */
export function summarise(
  path: string,
  requests: number,
  windowsFromEnd: { startMs: number; endMs: number }[] = [],
  top = 15,
): ProfileSummary {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a profile the bench itself asked Node to write
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const windows = windowsFromEnd.map((w) => [
    profile.endTime - w.startMs * 1000,
    profile.endTime - w.endMs * 1000,
  ]);
  const inWindow = (t: number) =>
    windows.length === 0 || windows.some(([from, to]) => t >= from && t <= to);
  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  let busy = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    t += profile.timeDeltas[i];
    // A sample's time is the delta to the next one.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (!inWindow(t)) continue;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busy += dt;
    const pkg = packageOf(url, functionName);
    const fn =
      `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^.*\/(?=[^/]+\/dist\/)/, '')}:${lineNumber + 1}` : ''}`.trim();
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + dt);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + dt);
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        usPerRequest: us / Math.max(1, requests),
        share: us / Math.max(1, busy),
      }));
  return {
    busyMs: busy / 1000,
    usPerRequest: busy / Math.max(1, requests),
    byPackage: rows(selfByPackage),
    byFunction: rows(selfByFunction),
  };
}

export function profileMarkdown(title: string, s: ProfileSummary): string {
  const table = (rows: ProfileRow[], head: string) =>
    [
      `| ${head} | µs/request | share |`,
      '| --- | ---: | ---: |',
      ...rows.map(
        (r) =>
          `| ${r.name.replaceAll('|', '\\|')} | ${r.usPerRequest.toFixed(1)} | ${(r.share * 100).toFixed(1)}% |`,
      ),
    ].join('\n');
  return [
    `#### ${title}: ${s.usPerRequest.toFixed(0)} µs of CPU per request`,
    '',
    table(s.byPackage, 'package (self time)'),
    '',
    table(s.byFunction, 'function (self time)'),
    '',
  ].join('\n');
}

if (require.main === module) {
  // node bench/dist/profile-summary.js <file.cpuprofile> <requests>
  const [file, requests] = process.argv.slice(2);
  console.log(profileMarkdown(file, summarise(file, Number(requests ?? 1))));
}
