// CI's check of the image and the compose stack without a Docker engine (docs/operations.md "Healthchecks, restarts and the image"):
// 1. replays the Dockerfile's stages (scripts/image-replay.mjs) on `git archive HEAD`: the build
//    stage with dev dependencies, then a runtime directory holding only what the runtime stage
//    COPYs, with production dependencies only;
// 2. checks the runtime: node as PID 1, not root, a HEALTHCHECK, no dev dependency required;
// 3. starts every built service of docker-compose.yml as its own process, with the environment
//    compose gives it (hosts and ports moved to 127.0.0.1 and free ports, secrets written as
//    files, the machine's PostgreSQL/NATS/Redis under a unique schema suffix, stream and prefix),
//    runs each container's healthcheck, registers through the gateway and reads `me` back,
//    then stops them with SIGTERM and expects a clean exit.
import { execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replayDockerfile } from './image-replay.mjs';
import { checkRuntime } from './image-runtime-check.mjs';
import { runComposeServices } from './image-compose-run.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'bastion-image-'));
const started = Date.now();
// HEAD by default; CHECK_IMAGE_REF names another commit or tree (e.g. `git write-tree` of work in progress).
const ref = process.env.CHECK_IMAGE_REF ?? 'HEAD';
const step = (message) =>
  console.log(`\n-- check-image (${Math.round((Date.now() - started) / 1000)} s): ${message}`);
let failed = false;
try {
  step(`build context: git archive ${ref} into ${work}/context`);
  const context = join(work, 'context');
  execSync(`mkdir -p "${context}" && git archive ${ref} | tar -x -C "${context}"`, {
    cwd: repo,
    stdio: 'inherit',
  });
  applyDockerignore(context);

  step('replaying the Dockerfile');
  // The npm cache of this machine is reused (offline first), as a Docker layer cache would be.
  const image = replayDockerfile({
    dockerfile: join(context, 'Dockerfile'),
    context,
    workRoot: work,
    runEnv: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
  });

  step('checking the runtime stage');
  checkRuntime(image, repo);

  step('starting the compose services from the runtime directory');
  const suffix = `img${randomBytes(4).toString('hex')}`;
  await runComposeServices({
    composeFile: join(context, 'docker-compose.yml'),
    runtime: image.root,
    secretsDir: join(work, 'secrets'),
    suffix,
    healthcheck: image.healthcheck,
    log: step,
  });
  step('image check passed');
} catch (error) {
  failed = true;
  console.error(`\ncheck-image: ${error instanceof Error ? error.message : error}`);
} finally {
  // The work directory holds two installs (~1 GB of small files): removing it took minutes on a
  // machine whose disk was busy, longer than the check itself. It is removed by a detached `rm`
  // that outlives this process, so the check's verdict does not wait on the disk.
  spawn('rm', ['-rf', work], { detached: true, stdio: 'ignore' }).unref();
  step(`removing ${work} in the background`);
}
process.exit(failed ? 1 : 0);

/** The context Docker would send: committed files minus .dockerignore's plain entries. */
function applyDockerignore(context) {
  const entries = readFileSync(join(context, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('!') && !/[*?[]/.test(l));
  for (const entry of entries) rmSync(join(context, entry), { recursive: true, force: true });
}
