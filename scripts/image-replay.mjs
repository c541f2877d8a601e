// Replays a Dockerfile without a Docker engine: each stage's filesystem is a directory standing
// for its WORKDIR, COPY copies from the build context (or another stage's directory), RUN runs
// in that directory with the stage's ENV. Only what our Dockerfile uses is understood; anything
// else is refused, so the replay can never silently diverge from the image.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';

/** Instructions per stage: `{ name, env, steps: [{ op, args, from? }], cmd, user, healthcheck }`. */
export function parseDockerfile(text) {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = [];
  for (const line of lines) {
    const [, op, rest] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!op) throw new Error(`cannot read Dockerfile line: ${line}`);
    const upper = op.toUpperCase();
    if (upper === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      stages.push({ name: name ?? String(stages.length), image, steps: [], env: {}, workdir: '/' });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${upper} before FROM`);
    stage.steps.push({ op: upper, args: rest });
  }
  return stages;
}

/** `["a","b"]` or shell form, as an argv (shell form is wrapped in sh -c, as Docker does). */
function execForm(args) {
  return args.startsWith('[') ? JSON.parse(args) : ['sh', '-c', args];
}

function parseEnv(args) {
  const env = {};
  for (const [, key, quoted, plain] of args.matchAll(/(\w+)=(?:"([^"]*)"|(\S*))/g))
    env[key] = quoted ?? plain;
  return env;
}

/**
 * Replays every stage into `workRoot/<stage>`; `context` is the build context. Returns each
 * stage's directory and the final stage's CMD, USER and HEALTHCHECK for the caller to check.
 */
export function replayDockerfile({
  dockerfile,
  context,
  workRoot,
  log = console.log,
  runEnv = {},
}) {
  const stages = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const dirs = {};
  const result = { stages: dirs };
  for (const stage of stages) {
    const root = join(workRoot, `stage-${stage.name}`);
    mkdirSync(root, { recursive: true });
    dirs[stage.name] = root;
    // Paths in the stage are mapped under WORKDIR; a path elsewhere would be outside the replay.
    const inStage = (path) => {
      const absolute = posix.resolve(stage.workdir, path);
      const relative = posix.relative(stage.workdir, absolute);
      if (relative.startsWith('..'))
        throw new Error(`${stage.name}: ${path} is outside WORKDIR ${stage.workdir}`);
      return join(root, relative);
    };
    for (const step of stage.steps) {
      log(`[${stage.name}] ${step.op} ${step.args}`);
      if (step.op === 'WORKDIR') stage.workdir = posix.resolve(stage.workdir, step.args);
      else if (step.op === 'ENV') Object.assign(stage.env, parseEnv(step.args));
      else if (step.op === 'COPY') copyStep(step.args, { context, dirs, stages, inStage });
      else if (step.op === 'RUN') {
        const run = spawnSync('sh', ['-c', step.args], {
          cwd: root,
          stdio: 'inherit',
          env: { ...process.env, ...runEnv, ...stage.env },
        });
        if (run.status !== 0)
          throw new Error(`[${stage.name}] RUN ${step.args} failed (exit ${run.status})`);
      } else if (step.op === 'USER') result.user = step.args;
      else if (step.op === 'CMD') result.cmd = execForm(step.args);
      else if (step.op === 'HEALTHCHECK')
        result.healthcheck = execForm(step.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
      else
        throw new Error(
          `${step.op} is not understood by the replay; teach scripts/image-replay.mjs`,
        );
    }
    result.env = stage.env;
    result.root = root;
  }
  return result;
}

function copyStep(args, { context, dirs, stages, inStage }) {
  const words = args.split(/\s+/);
  const from = words[0].startsWith('--from=') ? words.shift().slice('--from='.length) : undefined;
  if (words.some((w) => w.startsWith('--'))) throw new Error(`COPY option not understood: ${args}`);
  const dest = words.pop();
  let sourceRoot = context;
  let sourceWorkdir = '/';
  if (from !== undefined) {
    const source = stages.find((s) => s.name === from);
    if (!source || !dirs[from])
      throw new Error(`COPY --from=${from}: no earlier stage of that name`);
    sourceRoot = dirs[from];
    sourceWorkdir = source.workdir;
  }
  const intoDirectory = dest.endsWith('/') || words.length > 1;
  for (const src of words) {
    // From a stage, absolute paths are in its filesystem, which the replay keeps under its WORKDIR.
    const relative =
      from !== undefined ? posix.relative(sourceWorkdir, posix.resolve(sourceWorkdir, src)) : src;
    if (relative.startsWith('..')) throw new Error(`COPY ${src}: outside the source's WORKDIR`);
    const path = join(sourceRoot, relative);
    if (!existsSync(path))
      throw new Error(
        `COPY ${src}: not found${from ? ` in stage ${from}` : ' in the build context'}`,
      );
    const isDirectory = statSync(path).isDirectory();
    // Docker copies a directory's contents, a file by its name into a directory destination.
    const target =
      isDirectory || !intoDirectory ? inStage(dest) : join(inStage(dest), basename(path));
    mkdirSync(isDirectory ? target : join(target, '..'), { recursive: true });
    cpSync(path, target, { recursive: true });
  }
}
