/**
 * Nest 12 ships its packages as ES modules only. A CommonJS app loads them through Node's
 * require(esm), but Jest 29's module runtime requires every file as CommonJS and cannot. This
 * transform rewrites those files to CommonJS with TypeScript's own transpiler (no type check), so
 * the suite runs the real Nest 12 code unchanged. Only `import.meta.url` needs help: CommonJS has
 * no `import.meta`, and the file's URL is what Nest uses it for. A module that makes its own
 * `require` (`const require = createRequire(import.meta.url)`, as @nestjs/terminus does) keeps
 * CommonJS's, which does the same: declaring it again would be a syntax error there; and
 * `import.meta.resolve` (terminus checks optional packages with it) becomes `require.resolve`,
 * `import.meta.dirname` and `.filename` CommonJS's `__dirname` and `__filename`.
 */
/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- a Jest transform is loaded as CommonJS */
'use strict';
const { createHash } = require('crypto');
const ts = require('typescript');

/** Bump when the output changes for the same input, so Jest's cache is not reused. */
const TRANSFORM_VERSION = '4';

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  allowJs: true,
  esModuleInterop: true,
  inlineSourceMap: true,
};

module.exports = {
  process(source, filename) {
    const withFileUrl = source
      .replace(/^const require = createRequire\(import\.meta\.url\);$/m, '')
      .replace(/\bimport\.meta\.url\b/g, "require('url').pathToFileURL(__filename).href")
      .replace(/\bimport\.meta\.resolve\(/g, 'require.resolve(')
      .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
      .replace(/\bimport\.meta\.filename\b/g, '__filename');
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
