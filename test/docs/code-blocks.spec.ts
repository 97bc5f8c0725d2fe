import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, posix } from 'path';
import * as ts from 'typescript';
import {
  blocksOf,
  DocBlock,
  documentationPages,
  fragmentPreamble,
  SkippedBlock,
  virtualFolder,
} from './doc-blocks';

const ROOT = join(__dirname, '../..');
const root = ROOT.split('\\').join('/');

/** How the docs' code is compiled: as an app would, against the repository's lib/. */
const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  // ES modules so that fragments may `await` at the top level.
  module: ts.ModuleKind.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  lib: ['lib.es2022.d.ts'],
  strict: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noEmit: true,
  // Blocks that show tests use Jest's globals, as the tests of an app do.
  types: ['node', 'jest'],
  typeRoots: [`${root}/node_modules/@types`],
  baseUrl: root,
  // `taskmill` is this repository's source, as the package's exports map it once built.
  paths: {
    taskmill: [`${root}/lib/index.ts`],
    'taskmill/testing': [`${root}/lib/testing/index.ts`],
  },
};

/** Every block of every page, each under a file name of its own (duplicates renamed). */
function collect(): { files: Map<string, DocBlock>; skipped: SkippedBlock[] } {
  const preamble = fragmentPreamble(ROOT);
  const files = new Map<string, DocBlock>();
  const skipped: SkippedBlock[] = [];
  for (const page of documentationPages(ROOT)) {
    const found = blocksOf(ROOT, page, preamble);
    skipped.push(...found.skipped);
    for (const block of found.blocks) {
      let path = posix.join(virtualFolder(ROOT, page), block.file);
      if (files.has(path)) path = posix.join(virtualFolder(ROOT, page), `block-${block.line}.ts`);
      files.set(path, block);
    }
  }
  return { files, skipped };
}

/** A compiler host that serves the blocks from memory and everything else from disk. */
function hostFor(files: Map<string, DocBlock>): ts.CompilerHost {
  const host = ts.createCompilerHost(OPTIONS, true);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, language, onError, create) => {
    const block = files.get(name);
    if (block) return ts.createSourceFile(name, block.code, language, true);
    return getSourceFile(name, language, onError, create);
  };
  host.fileExists = (name) => files.has(name) || fileExists(name);
  host.readFile = (name) => files.get(name)?.code ?? readFile(name);
  // The compiler looks into a folder only if it exists: the pages' folders exist in memory.
  const folders = new Set([...files.keys()].flatMap((name) => ancestors(posix.dirname(name))));
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) => folders.has(name) || (directoryExists?.(name) ?? false);
  return host;
}

/** `a/b/c` and the folders above it. */
function ancestors(folder: string): string[] {
  const up = posix.dirname(folder);
  return up === folder ? [folder] : [folder, ...ancestors(up)];
}

/** `docs/guide.md:120: error TS2304: …`, at the line of the page the error is on. */
function located(diagnostic: ts.Diagnostic, files: Map<string, DocBlock>): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const file = diagnostic.file;
  const block = file ? files.get(file.fileName) : undefined;
  if (!file || !block || diagnostic.start === undefined) {
    return `${file?.fileName ?? '(options)'}: TS${diagnostic.code}: ${message}`;
  }
  const { line } = file.getLineAndCharacterOfPosition(diagnostic.start);
  const where =
    line < block.preambleLines
      ? `${block.page}:${block.line} (its preamble)`
      : `${block.page}:${block.line + line - block.preambleLines}`;
  return `${where}: TS${diagnostic.code}: ${message}`;
}

/** The messages of every block of `files` that does not compile, at its page's line. */
function compile(
  files: Map<string, DocBlock>,
  old?: ts.Program,
): { program: ts.Program; errors: string[] } {
  const program = ts.createProgram([...files.keys()], OPTIONS, hostFor(files), old);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((name) => {
      const source = program.getSourceFile(name);
      if (!source) return [];
      return [
        ...program.getSyntacticDiagnostics(source),
        ...program.getSemanticDiagnostics(source),
      ];
    }),
  ];
  return { program, errors: diagnostics.map((diagnostic) => located(diagnostic, files)) };
}

describe('TypeScript blocks of README.md and docs/', () => {
  const { files, skipped } = collect();
  const together = new Map([...files].filter(([, block]) => !block.alone));
  const alone = [...files].filter(([, block]) => block.alone);
  let program: ts.Program | undefined;

  it('finds the blocks of every page, and skips a block only with a reason', () => {
    expect(together.size).toBeGreaterThan(50);
    const pages = new Set([...files.values()].map((block) => block.page));
    expect(pages).toContain('README.md');
    expect(pages).toContain('docs/guide.md');
    for (const skip of skipped) expect(skip.reason.length).toBeGreaterThan(10);
  });

  it('compiles every block against the public API (strict, decorators), in one program', () => {
    const result = compile(together);
    program = result.program;
    expect(result.errors).toEqual([]);
  });

  it('compiles each block marked "alone" in a program of its own', () => {
    expect(alone.length).toBeGreaterThan(0);
    for (const entry of alone) expect(compile(new Map([entry]), program).errors).toEqual([]);
  });

  it('names the page and line of a block that does not compile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'taskmill-doc-blocks-'));
    try {
      mkdirSync(join(dir, 'docs'));
      const page = ['# Broken', '', '```ts', 'const retries: number = "two";', '```', ''];
      writeFileSync(join(dir, 'docs/broken.md'), page.join('\n'));
      const { blocks } = blocksOf(dir, 'docs/broken.md', fragmentPreamble(ROOT));
      const broken = new Map(
        blocks.map((block) => [posix.join(virtualFolder(ROOT, block.page), block.file), block]),
      );
      const { errors } = compile(broken, program);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^docs\/broken\.md:4: TS2322: Type 'string' is not assignable to type 'number'/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
