import { readFileSync } from 'node:fs';

/**
 * `node bench/dist/heap-summary.js before.heapsnapshot after.heapsnapshot [top]`: what a V8 heap
 * snapshot holds, by node type and constructor (self sizes), the second against the first, and the
 * largest single objects of the second with a path of retainers to each (docs/performance.md
 * "Memory"). Snapshots from `BENCH_HEAP_SNAPSHOTS` (bench/src/run.ts) or --heapsnapshot-signal.
 */

interface Snapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Parsed {
  s: Snapshot;
  nodeCount: number;
  nf: number;
  ef: number;
  typeOf: (n: number) => string;
  nameOf: (n: number) => string;
  selfOf: (n: number) => number;
  firstEdge: Int32Array;
}

function parse(file: string): Parsed {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a file the operator names
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const meta = s.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const types = meta.node_types[0];
  const iType = meta.node_fields.indexOf('type');
  const iName = meta.node_fields.indexOf('name');
  const iSelf = meta.node_fields.indexOf('self_size');
  const iEdges = meta.node_fields.indexOf('edge_count');
  const nodeCount = s.nodes.length / nf;
  const firstEdge = new Int32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n += 1)
    firstEdge[n + 1] = firstEdge[n] + s.nodes[n * nf + iEdges] * ef;
  return {
    s,
    nodeCount,
    nf,
    ef,
    typeOf: (n) => types[s.nodes[n * nf + iType]],
    nameOf: (n) => s.strings[s.nodes[n * nf + iName]],
    selfOf: (n) => s.nodes[n * nf + iSelf],
    firstEdge,
  };
}

function groups(p: Parsed): Map<string, { size: number; count: number }> {
  const out = new Map<string, { size: number; count: number }>();
  for (let n = 0; n < p.nodeCount; n += 1) {
    const type = p.typeOf(n);
    const name = type === 'object' || type === 'native' || type === 'hidden' ? p.nameOf(n) : '';
    const key = `${type}${name ? ` ${name.slice(0, 60)}` : ''}`;
    const g = out.get(key) ?? { size: 0, count: 0 };
    g.size += p.selfOf(n);
    g.count += 1;
    out.set(key, g);
  }
  return out;
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

function main(): void {
  const [beforeFile, afterFile, topArg] = process.argv.slice(2);
  const top = Number(topArg ?? 25);
  const before = groups(parse(beforeFile));
  const after = parse(afterFile);
  const afterGroups = groups(after);
  const total = (g: Map<string, { size: number }>) =>
    [...g.values()].reduce((sum, v) => sum + v.size, 0);
  console.log(`total self size: ${mb(total(before))} MB -> ${mb(total(afterGroups))} MB`);
  const rows = [...afterGroups.entries()]
    .map(([key, v]) => ({ key, ...v, grew: v.size - (before.get(key)?.size ?? 0) }))
    .sort((a, b) => b.grew - a.grew)
    .slice(0, top);
  console.log('\ngrowth by type/constructor (MB after, +MB, count after, +count):');
  for (const r of rows)
    console.log(
      `${mb(r.size).padStart(8)} ${('+' + mb(r.grew)).padStart(8)} ${String(r.count).padStart(9)} ${('+' + (r.count - (before.get(r.key)?.count ?? 0))).padStart(9)}  ${r.key}`,
    );
  // The largest single objects, each with one path of retainers.
  const { s, nf, ef } = after;
  const iTo = s.snapshot.meta.edge_fields.indexOf('to_node');
  const iEType = s.snapshot.meta.edge_fields.indexOf('type');
  const iEName = s.snapshot.meta.edge_fields.indexOf('name_or_index');
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const retainer = new Int32Array(after.nodeCount).fill(-1);
  const retainerEdge = new Int32Array(after.nodeCount).fill(-1);
  for (let n = 0; n < after.nodeCount; n += 1)
    for (let e = after.firstEdge[n]; e < after.firstEdge[n + 1]; e += ef) {
      const to = s.edges[e + iTo] / nf;
      const et = edgeTypes[s.edges[e + iEType]];
      if (et === 'weak' || et === 'shortcut') continue;
      if (retainer[to] === -1) {
        retainer[to] = n;
        retainerEdge[to] = e;
      }
    }
  const order = [...Array(after.nodeCount).keys()]
    .sort((a, b) => after.selfOf(b) - after.selfOf(a))
    .slice(0, Number(process.env.HEAP_LARGEST ?? 12));
  console.log('\nlargest objects (self MB, type name <- retainers):');
  for (const n of order) {
    const path: string[] = [];
    let at = n;
    for (let i = 0; i < 10 && retainer[at] !== -1; i += 1) {
      const e = retainerEdge[at];
      const et = edgeTypes[s.edges[e + iEType]];
      const en =
        et === 'element' || et === 'hidden'
          ? `[${s.edges[e + iEName]}]`
          : s.strings[s.edges[e + iEName]];
      at = retainer[at];
      path.push(`${en} of ${after.typeOf(at)} ${after.nameOf(at).slice(0, 40)}`);
    }
    console.log(
      `${mb(after.selfOf(n))} ${after.typeOf(n)} ${after.nameOf(n).slice(0, 50)}\n    <- ${path.join('\n    <- ')}`,
    );
  }
}

main();
