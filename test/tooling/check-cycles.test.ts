import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cycleThrough, cyclicGroups, importGraph } from '../../scripts/check-cycles.ts';
import { tempDir } from '../support/tmp.ts';

const TSCONFIG = {
  compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', allowImportingTsExtensions: true, noEmit: true },
  include: ['.'],
};

describe('check:cycles', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const project = (files: Record<string, string>): string => {
    const t = tempDir('cycles-');
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(t.dir, name), text);
    return t.dir;
  };

  it('finds a cycle closed only by a type import, and names the path of imports', () => {
    const dir = project({
      'a.ts': "import type { B } from './b.ts';\nexport const a = (b: B) => b;\n",
      'b.ts': "import { a } from './a.ts';\nexport type B = { a: typeof a };\n",
      'c.ts': "import { a } from './a.ts';\nexport { a };\n",
    });
    const graph = importGraph(join(dir, 'tsconfig.json'));
    const groups = cyclicGroups(graph);
    expect(groups).toEqual([[join(dir, 'a.ts'), join(dir, 'b.ts')]]);
    expect(cycleThrough(graph, groups[0]!, join(dir, 'a.ts'))).toEqual([
      join(dir, 'a.ts'),
      join(dir, 'b.ts'),
      join(dir, 'a.ts'),
    ]);
  });

  it('follows re-exports, index files and dynamic import() through a longer cycle', () => {
    const dir = project({
      'a.ts': "export * from './b.ts';\nexport const a = 1;\n",
      'b.ts': "export const b = () => import('./c.ts');\n",
      'c.ts': "import { a } from './a';\nexport const c = a;\n",
    });
    const graph = importGraph(join(dir, 'tsconfig.json'));
    expect(cyclicGroups(graph)).toHaveLength(1);
    expect(cycleThrough(graph, cyclicGroups(graph)[0]!, join(dir, 'a.ts')).map((f) => f.slice(dir.length + 1))).toEqual(
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
    );
  });

  it('passes a project whose imports form no cycle, packages left out', () => {
    const dir = project({
      'a.ts': "import { b } from './b.ts';\nimport { z } from 'zod';\nexport const a = [b, z];\n",
      'b.ts': 'export const b = 2;\n',
    });
    expect(cyclicGroups(importGraph(join(dir, 'tsconfig.json')))).toEqual([]);
  });
});
