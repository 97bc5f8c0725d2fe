/**
 * Nest 12 ships its packages as ES modules only. A CommonJS app loads them through Node's
 * require(esm), but Jest 29's module runtime requires every file as CommonJS and cannot. This
 * transform rewrites those files to CommonJS with TypeScript's own transpiler (no type check), so
 * the suite runs the real Nest 12 code unchanged. Only `import.meta.url` needs help: CommonJS has
 * no `import.meta`, and the file's URL is what Nest uses it for.
 */
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- a Jest transform is loaded as CommonJS */
'use strict';
const { createHash } = require('crypto');
const ts = require('typescript');

/** Bump when the output changes for the same input, so Jest's cache is not reused. */
const TRANSFORM_VERSION = '1';

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  allowJs: true,
  esModuleInterop: true,
  inlineSourceMap: true,
};

module.exports = {
  process(source, filename) {
    const withFileUrl = source.replace(
      /\bimport\.meta\.url\b/g,
      "require('url').pathToFileURL(__filename).href",
    );
    const { outputText } = ts.transpileModule(withFileUrl, { fileName: filename, compilerOptions });
    return { code: outputText };
  },

  getCacheKey(source, filename) {
    return createHash('sha1')
      .update(TRANSFORM_VERSION)
      .update(ts.version)
      .update(filename)
      .update(source)
      .digest('hex');
  },
};
