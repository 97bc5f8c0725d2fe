import { readdirSync, readFileSync } from 'fs';
import { join, posix } from 'path';

/**
 * The TypeScript blocks of the documentation, as files the compiler can check. Conventions a
 * block may follow (see docs/development.md, "Code blocks in the docs"):
 * - A first line `// some/name.ts` names the file: the page's blocks share a folder, so a block
 *   can import another (`import { ReportService } from './report.service'`).
 * - A block without any `import` line is a fragment: it gets the page-wide preamble (every
 *   public export of `taskmill` and `taskmill/testing`, and Nest's common decorators).
 * - Every block may call `queue` (`QueueService`), `worker` (`WorkerService`) and `locks`
 *   (`LockService`) without declaring them.
 * - An HTML comment right above the block, `<!-- ts-preamble: … -->`, declares what else a
 *   fragment uses (`declare const userId: string;`); it is hidden when the page is rendered.
 * - `<!-- ts-check: alone (why) -->` right above a block compiles it in a program of its own:
 *   for a block whose declarations would change the others (a module augmentation).
 * - `<!-- ts-check: skip (why) -->` right above a block leaves it out; the reason is required.
 */
export interface DocBlock {
  /** The page, relative to the repository (`docs/guide.md`). */
  page: string;
  /** The line of the block's first code line in the page (1-based). */
  line: number;
  /** The file the block is compiled as, relative to the page's virtual folder. */
  file: string;
  /** The code as the compiler sees it: preamble lines first. */
  code: string;
  /** How many lines were put in front of the block's own lines. */
  preambleLines: number;
  /** Compiled in a program of its own (`<!-- ts-check: alone (why) -->`). */
  alone: boolean;
}

export interface SkippedBlock {
  page: string;
  line: number;
  reason: string;
}

const FENCE = /^```(\S*)\s*$/;
const FILE_NAME = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)\b/;
const PREAMBLE = /<!--\s*ts-preamble:((?:(?!-->)[\s\S])*)-->\s*$/;
const SKIP = /<!--\s*ts-check:\s*skip\s*\(([^)]+)\)\s*-->\s*$/;
const ALONE = /<!--\s*ts-check:\s*alone\s*\(([^)]+)\)\s*-->\s*$/;

/** The Markdown pages whose blocks are checked: the README and every page under docs/. */
export function documentationPages(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}

/** The names a module exports with `export { … } from`, as a preamble can import them. */
export function exportedNames(indexSource: string): string[] {
  const names: string[] = [];
  for (const [, list] of indexSource.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const entry of list.split(',')) {
      const name = entry
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.replace(/^type\s+/, '');
      if (name) names.push(name);
    }
  }
  return names;
}

/** The page-wide preamble of fragments (one line each, so that line numbers stay simple). */
export function fragmentPreamble(root: string): string[] {
  const main = exportedNames(readFileSync(join(root, 'lib/index.ts'), 'utf8'));
  const testing = exportedNames(readFileSync(join(root, 'lib/testing/index.ts'), 'utf8'));
  return [
    `import { ${main.join(', ')} } from 'taskmill';`,
    `import { ${testing.join(', ')} } from 'taskmill/testing';`,
    `import { Inject, Injectable, Module } from '@nestjs/common';`,
  ];
}

/** What every block may call without declaring it, unless it declares the name itself. */
export const SERVICES = [
  "declare const queue: import('taskmill').QueueService;",
  "declare const worker: import('taskmill').WorkerService;",
  "declare const locks: import('taskmill').LockService;",
];

/** Every ```ts block of `page`, ready to compile, and those skipped on purpose. */
export function blocksOf(
  root: string,
  page: string,
  preamble: string[],
): { blocks: DocBlock[]; skipped: SkippedBlock[] } {
  const lines = readFileSync(join(root, page), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  const skipped: SkippedBlock[] = [];
  let afterPrevious = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    if (end < 0) throw new Error(`${page}:${i + 1}: a code block that is never closed`);
    const language = open[1];
    const body = lines.slice(i + 1, end);
    // What stands between the previous block and this one: where its markers may be.
    const before = lines.slice(afterPrevious, i).join('\n');
    const start = i + 2;
    i = end;
    afterPrevious = end + 1;
    if (language !== 'ts' && language !== 'typescript') continue;
    const skip = SKIP.exec(before);
    if (skip) {
      skipped.push({ page, line: start, reason: skip[1].trim() });
      continue;
    }
    const own = PREAMBLE.exec(before)?.[1].trim().split('\n') ?? [];
    const fragment = !body.some((line) => /^import\s/.test(line));
    const imports = fragment ? preamble : [];
    const front = withoutOwnNames([...imports, ...SERVICES, ...own], body);
    const named = FILE_NAME.exec(body[0] ?? '')?.[1];
    blocks.push({
      page,
      line: start,
      file: named ?? `block-${start}.ts`,
      code: [...front, ...body, 'export {};', ''].join('\n'),
      preambleLines: front.length,
      alone: ALONE.test(before),
    });
  }
  return { blocks, skipped };
}

/**
 * The preamble without the names the block declares itself: a block that shows a type's shape
 * (`interface StatusUpdate { … }`) declares the name that the preamble would import.
 */
function withoutOwnNames(preamble: string[], body: string[]): string[] {
  const own = new Set(
    body.flatMap((line) => {
      const match =
        /^(?:export\s+)?(?:declare\s+)?(?:interface|type|class|enum|const|let|function)\s+(\w+)/.exec(
          line,
        );
      return match ? [match[1]] : [];
    }),
  );
  const services = preamble.filter((line) => {
    const declared = /^declare const (\w+):/.exec(line)?.[1];
    return !declared || !own.has(declared);
  });
  return services.map((line) =>
    line.replace(/^import \{ (.*) \} from/, (_, names: string) => {
      const kept = names.split(', ').filter((name) => !own.has(name));
      return `import { ${kept.join(', ')} } from`;
    }),
  );
}

/** Where a page's blocks live for the compiler: one folder per page, never written to disk. */
export function virtualFolder(root: string, page: string): string {
  return posix.join(root.split('\\').join('/'), '.doc-blocks', page.replace(/\.md$/, ''));
}
