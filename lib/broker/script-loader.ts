import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import type { Redis } from 'ioredis';
import { luaKeyLayout } from './keys';

const SCRIPTS_DIR = join(__dirname, 'scripts');
const INCLUDE = /^--@include (\w+)\s*$/gm;

/** A script file `<name>-<keyCount>.lua`, with its includes and the key layout expanded. */
export interface LoadedScript {
  command: string;
  numberOfKeys: number;
  lua: string;
}

let cache: LoadedScript[] | undefined;

/** Reads every script once per process; ioredis then sends each by EVALSHA. */
export function loadScripts(): LoadedScript[] {
  cache ??= readdirSync(SCRIPTS_DIR)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => {
      const match = /^(.+)-(\d+)\.lua$/.exec(file);
      if (!match) throw new Error(`Lua script ${file} must be named <name>-<keyCount>.lua`);
      const source = readFileSync(join(SCRIPTS_DIR, file), 'utf8').replace(INCLUDE, (_, name) =>
        readFileSync(join(SCRIPTS_DIR, 'includes', `${name}.lua`), 'utf8'),
      );
      return {
        command: commandName(match[1]),
        numberOfKeys: Number(match[2]),
        lua: `${luaKeyLayout()}\n${source}`,
      };
    });
  return cache;
}

/** Defines every script as a custom command on `redis` (idempotent). */
export function defineScripts(redis: Redis): void {
  for (const script of loadScripts()) {
    if (typeof (redis as unknown as Record<string, unknown>)[script.command] === 'function')
      continue;
    redis.defineCommand(script.command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
}

/** `enqueue` → `taskmillEnqueue`: namespaced so it cannot clash with the user's own commands. */
export function commandName(scriptName: string): string {
  const camel = scriptName.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  return `taskmill${camel[0].toUpperCase()}${camel.slice(1)}`;
}
