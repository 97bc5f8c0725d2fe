import { createHash } from 'crypto';
import { readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import type { AnyRedis } from '../redis/any-redis';
import { luaKeyLayout } from './keys';
import { NEW_TASK_FIELDS } from './new-task';
import {
  INCLUDE_ORDER,
  parseIncludes,
  readInclude,
  SCRIPTS_DIR,
  withNeededIncludes,
} from './lua-includes';
import { luaScriptCodes } from './script-codes';

/**
 * Marks a script that must run when Redis is out of memory: the worker's settle and renewals,
 * the lease sweep, cancel and lock release, which finish or give back work already in Redis.
 * Run as a script (EVALSHA), any script may go on writing once its first write (always a
 * removal in these) is done; a function without the `allow-oom` flag is refused before it
 * starts, so workers would stop draining the queues exactly when that frees memory.
 */
const ALLOW_OOM = /^--@allow-oom\s*$/m;

/** A script file `<name>-<keyCount>.lua`, with its includes and the key layout expanded. */
export interface LoadedScript {
  command: string;
  numberOfKeys: number;
  lua: string;
}

interface ScriptFile {
  name: string;
  numberOfKeys: number;
  /** The script without its include lines. */
  body: string;
  /** The includes it names, and those they need, in INCLUDE_ORDER. */
  includes: string[];
  allowOom: boolean;
}

let files: ScriptFile[] | undefined;
let scripts: LoadedScript[] | undefined;
let library: ScriptLibrary | undefined;

function readScriptFiles(): ScriptFile[] {
  files ??= readdirSync(SCRIPTS_DIR)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => {
      const match = /^(.+)-(\d+)\.lua$/.exec(file);
      if (!match) throw new Error(`Lua script ${file} must be named <name>-<keyCount>.lua`);
      const source = readFileSync(join(SCRIPTS_DIR, file), 'utf8');
      const { body, includes } = parseIncludes(file, source);
      return {
        name: match[1],
        numberOfKeys: Number(match[2]),
        body,
        includes: withNeededIncludes(includes),
        allowOom: ALLOW_OOM.test(source),
      };
    });
  return files;
}

/**
 * What TypeScript owns and every script reads, generated: the key layout's names (keys.ts), the
 * reply codes and error names (script-codes.ts) and the number of enqueue fields per task
 * (new-task.ts).
 */
function prelude(): string {
  return [
    luaKeyLayout(),
    luaScriptCodes(),
    `local NEW_TASK_FIELDS = ${NEW_TASK_FIELDS}`,
    // What one call remembers while it runs (reads it need not repeat): a script's is new on
    // each call; the library's is emptied by each function as it starts (scriptLibrary).
    'local CALL = {}',
  ].join('\n');
}

/** Reads every script once per process; ioredis then sends each by EVALSHA. */
export function loadScripts(): LoadedScript[] {
  scripts ??= readScriptFiles().map((file) => ({
    command: commandName(file.name),
    numberOfKeys: file.numberOfKeys,
    lua: [prelude(), ...file.includes.map((name) => readInclude(name).body), file.body].join('\n'),
  }));
  return scripts;
}

/** Every script as one Redis function library (Redis 7+): see script-runner.ts. */
export interface ScriptLibrary {
  /** `taskmill_<digest>`: a changed script is a new library, never a clash with an old one. */
  name: string;
  /** The FUNCTION LOAD payload. */
  code: string;
  /** Command name (`taskmillSettle`) → function name. */
  functions: Map<string, string>;
}

/**
 * The library declares the prelude and every include once, then registers each script's body as
 * a function of (KEYS, ARGV). Its helper functions are then created once, when the library is
 * loaded, instead of on every call as a script's must be.
 */
export function scriptLibrary(): ScriptLibrary {
  if (library) return library;
  // Includes read KEYS and ARGV, globals in a script: here the library's own, set by each
  // function as it starts (Redis runs one function at a time).
  const includes = INCLUDE_ORDER.map((name) => readInclude(name).body);
  const shared = [prelude(), 'local KEYS, ARGV', ...includes].join('\n');
  const bodies = readScriptFiles();
  const digest = createHash('sha1')
    .update(shared)
    .update(bodies.map((file) => file.body).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const name = `taskmill_${digest}`;
  const functions = new Map<string, string>();
  const registrations = bodies.map((file) => {
    const functionName = `${name}_${file.name.replace(/-/g, '_')}`;
    functions.set(commandName(file.name), functionName);
    const flags = file.allowOom ? `, flags = { 'allow-oom' }` : '';
    return (
      `redis.register_function{ function_name = '${functionName}', ` +
      `callback = function(keys, args)\nKEYS, ARGV, CALL = keys, args, {}\n${file.body}\nend${flags} }`
    );
  });
  library = { name, code: [`#!lua name=${name}`, shared, ...registrations].join('\n'), functions };
  return library;
}

/** Defines every script as a custom command on `redis` (idempotent). */
export function defineScripts(redis: AnyRedis): void {
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
