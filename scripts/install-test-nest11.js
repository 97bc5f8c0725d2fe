/**
 * `npm test` runs the end-to-end tests on Nest 11 as well as Nest 12. Nest 11 lives in its own
 * folder (test/compat/nest11) because one node_modules cannot hold two majors of a package that
 * the other packages peer-depend on. This installs it from its lock file when it is missing or
 * differs from what the folder's package.json pins; otherwise it does nothing.
 */
const { execFileSync } = require('child_process');
const { existsSync, readFileSync } = require('fs');
const { join } = require('path');

const folder = join(__dirname, '..', 'test', 'compat', 'nest11');
const pinned = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).dependencies;

function installedVersion(name) {
  const file = join(folder, 'node_modules', name, 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
}

const stale = Object.entries(pinned).filter(
  ([name, version]) => installedVersion(name) !== version,
);
if (stale.length > 0) {
  process.stdout.write(
    `test: installing ${stale.map(([n, v]) => `${n}@${v}`).join(', ')} into ${folder}\n`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: folder,
    stdio: 'inherit',
  });
}
