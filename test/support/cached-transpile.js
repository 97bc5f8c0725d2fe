// Loads TypeScript in the child processes that tests start (workers, producers), like
// ts-node/register/transpile-only, but keeps what it transpiled in a folder shared by every
// child of one test run (TASKMILL_TS_CACHE, made by global setup). The fault tests start dozens
// of worker processes; without the cache each spends about a second of CPU loading the
// compiler and transpiling lib/ again, which on a small machine is what limits how often a
// worker can be killed and replaced.
/* global require, process, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload: Node runs it before any TypeScript can load */
'use strict';
const { createHash } = require('crypto');
const { readFileSync, renameSync, writeFileSync } = require('fs');
const { join } = require('path');
const { threadId } = require('worker_threads');

const cacheDir = process.env.TASKMILL_TS_CACHE;
let compile;

/** The compiler is loaded on the first cache miss only: that is the expensive part. */
function transpile(source, fileName) {
  if (!compile) {
    const ts = require('typescript');
    const root = join(__dirname, '..', '..');
    const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
    const compilerOptions = { ...options, declaration: false, sourceMap: false };
    compile = (text, name) => ts.transpileModule(text, { fileName: name, compilerOptions });
  }
  return compile(source, fileName).outputText;
}

function cachedTranspile(source, fileName) {
  if (!cacheDir) return transpile(source, fileName);
  const key = createHash('sha1').update(fileName).update('\0').update(source).digest('hex');
  const file = join(cacheDir, `${key}.js`);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    const output = transpile(source, fileName);
    // Written aside, then renamed: a process killed mid-write leaves no half file behind. Named
    // by thread too: the worker-pool tests load TypeScript in several threads of one process.
    const partial = `${file}.${process.pid}.${threadId}`;
    writeFileSync(partial, output);
    renameSync(partial, file);
    return output;
  }
}

require.extensions['.ts'] = (module, fileName) => {
  module._compile(cachedTranspile(readFileSync(fileName, 'utf8'), fileName), fileName);
};
