import { readFileSync } from 'fs';
import { join } from 'path';

export const SCRIPTS_DIR = join(__dirname, 'scripts');

/**
 * `--@include <name>` in a script or an include: the file needs includes/<name>.lua, the helper
 * functions it declares (Lua has no modules in Redis: the loader pastes the text in front).
 */
const INCLUDE = /^--@include ([\w-]+)\s*$/gm;

/**
 * The includes in an order where each comes after those it needs (its own `--@include`
 * lines): a script gets its includes in this order, and the function library declares them all
 * once, in this order.
 */
export const INCLUDE_ORDER = [
  'keys',
  'common',
  'locks',
  'limits',
  'tasks',
  'debounce',
  'gates',
  'chains',
  'chord-join',
  'workflows',
  'runs',
  'outcomes',
  'claim',
  'admin',
];

/** A Lua file without its include lines, and the includes those lines named. */
export interface LuaSource {
  body: string;
  includes: string[];
}

/** Splits `source` (the file `file`) into its body and the includes it names. */
export function parseIncludes(file: string, source: string): LuaSource {
  const includes = [...source.matchAll(INCLUDE)].map((include) => include[1]);
  const unknown = includes.find((name) => !INCLUDE_ORDER.includes(name));
  if (unknown) throw new Error(`${file} includes ${unknown}, missing from INCLUDE_ORDER`);
  return { body: source.replace(INCLUDE, ''), includes };
}

const includeFiles = new Map<string, LuaSource>();

/** includes/<name>.lua, read once per process. */
export function readInclude(name: string): LuaSource {
  let include = includeFiles.get(name);
  if (!include) {
    const file = `includes/${name}.lua`;
    include = parseIncludes(file, readFileSync(join(SCRIPTS_DIR, file), 'utf8'));
    const late = include.includes.find(
      (needed) => INCLUDE_ORDER.indexOf(needed) >= INCLUDE_ORDER.indexOf(name),
    );
    if (late) throw new Error(`${file} includes ${late}, which INCLUDE_ORDER must put before it`);
    includeFiles.set(name, include);
  }
  return include;
}

/** `names` and every include they need in turn, in INCLUDE_ORDER. */
export function withNeededIncludes(names: string[]): string[] {
  const needed = new Set<string>();
  const add = (name: string): void => {
    if (needed.has(name)) return;
    needed.add(name);
    readInclude(name).includes.forEach(add);
  };
  names.forEach(add);
  return INCLUDE_ORDER.filter((name) => needed.has(name));
}
