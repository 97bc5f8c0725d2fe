import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  INCLUDE_ORDER,
  parseIncludes,
  readInclude,
  SCRIPTS_DIR,
  withNeededIncludes,
} from '../../../lib/broker/lua-includes';
import { loadScripts, scriptLibrary } from '../../../lib/broker/script-loader';

/** Lua code without its comments and string literals: the names it uses. */
function code(lua: string): string {
  return lua.replace(/--.*$/gm, '').replace(/'[^'\n]*'/g, "''");
}

/** The names an include declares at its top level (helpers and shared tables). */
function declaredBy(include: string): string[] {
  const body = readInclude(include).body;
  return [...body.matchAll(/^local (?:function )?(\w+)/gm)].map((match) => match[1]);
}

const SCRIPT_FILES = readdirSync(SCRIPTS_DIR).filter((file) => file.endsWith('.lua'));

describe('the script loader', () => {
  it('loads every script and the function library', () => {
    expect(loadScripts()).toHaveLength(SCRIPT_FILES.length);
    expect(scriptLibrary().functions.size).toBe(SCRIPT_FILES.length);
  });

  it('knows every include file, in an order where each follows those it needs', () => {
    const files = readdirSync(join(SCRIPTS_DIR, 'includes')).map((file) => file.slice(0, -4));
    expect([...INCLUDE_ORDER].sort()).toEqual(files.sort());
    INCLUDE_ORDER.forEach((name, at) => {
      for (const needed of readInclude(name).includes) {
        expect(INCLUDE_ORDER.indexOf(needed)).toBeLessThan(at);
      }
    });
  });

  it.each(SCRIPT_FILES)('gives %s every helper it calls', (file) => {
    // In a script (EVALSHA), a helper of an include it lacks is an unset global: Redis fails the
    // call only when that line runs. The function library would hide it, having them all.
    const script = parseIncludes(file, readFileSync(join(SCRIPTS_DIR, file), 'utf8'));
    const included = withNeededIncludes(script.includes);
    const text = code([...included.map((name) => readInclude(name).body), script.body].join('\n'));
    const missing = INCLUDE_ORDER.filter((name) => !included.includes(name)).flatMap((name) =>
      declaredBy(name).filter((helper) => new RegExp(`\\b${helper}\\b`).test(text)),
    );
    expect(missing).toEqual([]);
  });
});

describe('key names in Lua', () => {
  const files = [
    ...SCRIPT_FILES,
    ...INCLUDE_ORDER.filter((name) => name !== 'keys').map((name) => `includes/${name}.lua`),
  ];

  it.each(files)('%s joins no key itself (includes/keys.lua does)', (file) => {
    const lua = code(readFileSync(join(SCRIPTS_DIR, file), 'utf8'));
    expect(lua).not.toMatch(/\bbase\s*\.\./);
    expect(lua).not.toMatch(/\.\.\s*(FAMILY|QUEUE|F)_\w+|\b(FAMILY|QUEUE|F)_\w+\s*\.\./);
  });
});
