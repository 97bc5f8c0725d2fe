import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import * as ts from 'typescript';

/**
 * The JSON constraint on arguments enqueued by class and method is lifted by augmenting
 * TaskmillTypes, as an app with a custom serializer does. A module augmentation is global to a
 * compilation, so it cannot sit among the other type tests: each case compiles a small app of
 * its own against lib/, as a user's would compile against the package.
 */
const lib = resolve(__dirname, '../../../lib/index.ts');

const APP = `
import { QueueService } from 'taskmill';
AUGMENTATION
class Calendar {
  async at(_when: Date): Promise<void> {}
}
export const enqueued = ({} as QueueService).enqueue(Calendar, 'at', [new Date()]);
`;

const AUGMENTATION = `
declare module 'taskmill' {
  interface TaskmillTypes { serializer: 'custom' }
}`;

/** The previous compilation: lib/ and its dependencies are reused, not parsed again. */
let previous: ts.Program | undefined;

const dir = mkdtempSync(join(tmpdir(), 'taskmill-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function diagnosticsOf(source: string): string[] {
  const file = join(dir, 'app.ts');
  writeFileSync(file, source);
  const program = ts.createProgram(
    [file],
    {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      types: ['node'],
      typeRoots: [resolve(__dirname, '../../../node_modules/@types')],
      baseUrl: dir,
      paths: { taskmill: [lib] },
    },
    undefined,
    previous,
  );
  previous = program;
  // Only app.ts is checked: the checker then reads no more of lib/ than the app uses.
  const app = program.getSourceFile(file);
  return [...program.getSyntacticDiagnostics(app), ...program.getSemanticDiagnostics(app)].map(
    (d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  );
}

// Parsing lib/ and its dependencies takes seconds on a loaded machine.
jest.setTimeout(120_000);

describe('TaskmillTypes (a custom serializer)', () => {
  it('refuses a Date argument by default (the JSON serializer would)', () => {
    const errors = diagnosticsOf(APP.replace('AUGMENTATION', ''));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('No overload matches this call');
    expect(errors[0]).toContain('taskmill: not JSON');
  });

  it("accepts it once the app declares serializer: 'custom'", () => {
    expect(diagnosticsOf(APP.replace('AUGMENTATION', AUGMENTATION))).toEqual([]);
  });
});
