import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');

/**
 * A copy of lib/ and test/support/ in a temporary folder whose node_modules links every
 * installed package but `hidden`: code run from there gets Node's real "cannot find module"
 * for those packages, as in an app that did not install them. Returns the folder; remove it
 * with `rmSync(dir, { recursive: true })`.
 */
export function sandboxWithout(hidden: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'taskmill-sandbox-'));
  try {
    cpSync(join(ROOT, 'lib'), join(dir, 'lib'), { recursive: true });
    cpSync(join(ROOT, 'test', 'support'), join(dir, 'test', 'support'), { recursive: true });
    cpSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    linkPackages(join(ROOT, 'node_modules'), join(dir, 'node_modules'), '', new Set(hidden));
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

function linkPackages(from: string, to: string, scope: string, hidden: Set<string>): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (entry === '.bin' || entry === '.package-lock.json') continue;
    const name = scope ? `${scope}/${entry}` : entry;
    if (hidden.has(name)) continue;
    if (!scope && entry.startsWith('@')) {
      linkPackages(join(from, entry), join(to, entry), entry, hidden);
      continue;
    }
    symlinkSync(join(from, entry), join(to, entry));
  }
}
