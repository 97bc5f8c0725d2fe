import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import {
  DEFINITION_BITS,
  luaScriptCodes,
  SCRIPT_CODES,
  SCRIPT_ERRORS,
} from '../../../lib/broker/script-codes';

const SCRIPTS = join(__dirname, '../../../lib/broker/scripts');

/** Every Lua file of the scripts folder (scripts and includes), by its path under it. */
function luaFiles(): [string, string][] {
  const read = (folder: string) =>
    readdirSync(join(SCRIPTS, folder))
      .filter((file) => file.endsWith('.lua'))
      .map((file): [string, string] => [
        join(folder, file),
        readFileSync(join(SCRIPTS, folder, file), 'utf8'),
      ]);
  return [...read('.'), ...read('includes')];
}

describe('SCRIPT_CODES', () => {
  it('gives each refusal (a negative code) its own number', () => {
    const refusals = Object.values(SCRIPT_CODES).filter((code) => code < 0);
    expect(new Set(refusals).size).toBe(refusals.length);
  });

  it('keeps every code an integer, and definition mismatches above every other code', () => {
    for (const code of Object.values(SCRIPT_CODES)) expect(Number.isInteger(code)).toBe(true);
    const others = Object.values(SCRIPT_CODES).filter(
      (code) => code !== SCRIPT_CODES.DEFINITION_DIFFERS,
    );
    expect(Math.max(...others)).toBeLessThan(SCRIPT_CODES.DEFINITION_DIFFERS);
  });

  it('gives each definition bit its own bit', () => {
    const bits = Object.values(DEFINITION_BITS);
    expect(bits.reduce((mask, bit) => mask | bit, 0)).toBe(bits.reduce((sum, bit) => sum + bit, 0));
  });
});

describe('luaScriptCodes', () => {
  const lua = luaScriptCodes();

  it.each(Object.entries(SCRIPT_CODES))('declares CODE.%s', (name, code) => {
    expect(lua).toContain(`  ${name} = ${code},`);
  });

  it.each(Object.entries(DEFINITION_BITS))('declares DEFINITION_BIT.%s', (name, bit) => {
    expect(lua).toContain(`  ${name} = ${bit},`);
  });

  it.each(Object.entries(SCRIPT_ERRORS))('declares ERROR_NAME.%s', (name, type) => {
    expect(lua).toContain(`  ${name} = '${type.name}',`);
  });

  it('declares three tables, nothing else', () => {
    expect(lua.match(/^local \w+/gm)).toEqual([
      'local CODE',
      'local DEFINITION_BIT',
      'local ERROR_NAME',
    ]);
  });
});

describe('the Lua scripts', () => {
  const TABLES: Record<string, object> = {
    CODE: SCRIPT_CODES,
    DEFINITION_BIT: DEFINITION_BITS,
    ERROR_NAME: SCRIPT_ERRORS,
  };

  it.each(luaFiles())('%s names only codes and errors the tables have', (_, source) => {
    // A misspelt name would be nil in Lua, not an error: the script would answer nil.
    for (const [, table, name] of source.matchAll(/\b(CODE|DEFINITION_BIT|ERROR_NAME)\.(\w+)/g)) {
      expect(Object.keys(TABLES[table])).toContain(name);
    }
  });

  it.each(luaFiles())('%s returns no bare number as a code', (_, source) => {
    const code = source.replace(/--.*$/gm, '');
    expect(code).not.toMatch(/\breturn\s+(\{\s*)?-?\d+\s*(,|\}|$)/m);
    expect(code).not.toMatch(/\breturn\s+nil,\s*-?\d/);
  });

  it.each(luaFiles())('%s writes no error name of its own', (_, source) => {
    expect(source).not.toMatch(/name = '\w+Error'/);
    for (const type of Object.values(SCRIPT_ERRORS)) expect(source).not.toContain(`'${type.name}'`);
  });
});
