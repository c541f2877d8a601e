// The registry these machines reach answers 404 for some platform-specific optional packages
// (e.g. @swc/core-darwin-arm64), so npm leaves them out of package-lock.json, and `npm ci` then
// refuses the lock as out of sync. This adds a lock entry for each such package with its os/cpu,
// which npm ci skips on every other platform without fetching. Run it after `npm install`.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'android', 'openharmony', 'sunos', 'aix'];
const CPU = {
  x64: 'x64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: 'ia32',
  riscv64: 'riscv64',
  loong64: 'loong64',
  ppc64: 'ppc64',
  s390x: 's390x',
  wasm32: 'wasm32',
};

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const entry = {};
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU[p]);
  if (os) entry.os = [os];
  if (cpu) entry.cpu = [CPU[cpu]];
  if (parts.some((p) => p.startsWith('musl'))) entry.libc = ['musl'];
  else if (parts.some((p) => p.startsWith('gnu'))) entry.libc = ['glibc'];
  return entry;
}

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const wanted = new Map();
for (const [path, meta] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    const base = path.includes('node_modules/')
      ? path.slice(0, path.lastIndexOf('node_modules/'))
      : '';
    const nested = `${path}/node_modules/${name}`;
    const hoisted = `${base}node_modules/${name}`;
    if (!lock.packages[nested] && !lock.packages[hoisted] && !lock.packages[`node_modules/${name}`])
      wanted.set(`node_modules/${name}`, { name, spec });
  }
}
for (const [path, { spec, name }] of wanted) {
  lock.packages[path] = {
    version: spec.replace(/^[\^~=]/, ''),
    dev: true,
    optional: true,
    ...platformOf(name),
  };
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
  ),
);
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${wanted.size} lock entries for optional platform packages`);
if (process.argv.includes('--check'))
  execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts'], { stdio: 'inherit' });
