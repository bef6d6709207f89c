/**
 * `npm run check:cycles`: fails on an import cycle among the project's own modules, type-only imports
 * included (an `import type` cycle still ties two modules together: neither can be understood, moved or
 * tested without the other). Uses the TypeScript compiler's own pre-processor and module resolution with
 * tsconfig.json, so every path form the build accepts (.ts extensions, index files, re-exports, dynamic
 * import()) is followed exactly as tsc follows it.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import ts from 'typescript';

export type ImportGraph = Map<string, string[]>;

/** Every project file named by the tsconfig, with the project files it imports (node_modules left out). */
export function importGraph(tsconfigPath: string): ImportGraph {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfigPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${tsconfigPath}`);
  const files = new Set(parsed.fileNames.map((f) => resolve(f)));
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.flatMap((i) => {
      const m = ts.resolveModuleName(i.fileName, file, parsed.options, ts.sys).resolvedModule;
      return m === undefined || m.isExternalLibraryImport ? [] : [resolve(m.resolvedFileName)];
    });
    graph.set(file, [...new Set(targets.filter((f) => files.has(f)))]);
  }
  return graph;
}

/** The strongly connected components with more than one module, or one importing itself (Tarjan). */
export function cyclicGroups(graph: ImportGraph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (graph.get(v) ?? []).includes(v)) groups.push(group.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** One shortest cycle through `start` inside its group, as the path of imports a reader can follow. */
export function cycleThrough(graph: ImportGraph, group: string[], start: string): string[] {
  const inGroup = new Set(group);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!inGroup.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = cameFrom.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

function main(): void {
  const root = resolve(import.meta.dirname, '..');
  const graph = importGraph(resolve(root, 'tsconfig.json'));
  const groups = cyclicGroups(graph);
  const rel = (f: string): string => relative(root, f);
  if (groups.length === 0) {
    console.log(`check:cycles: no import cycle among ${graph.size} modules`);
    return;
  }
  for (const group of groups) {
    console.log(`import cycle among ${group.length} modules: ${group.map(rel).join(', ')}`);
    console.log(`  for example ${cycleThrough(graph, group, group[0]!).map(rel).join(' -> ')}`);
  }
  console.log(`check:cycles: ${groups.length} import cycle(s); type-only imports count too`);
  process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) main();
