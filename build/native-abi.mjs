// Which Node/Electron ABI a compiled native module was built for, read from the module file itself:
// every V8-API addon exports `node_register_module_v<ABI>` (ELF and PE alike). @electron/rebuild's own
// bookkeeping (.forge-meta) records what it was asked to build, not what the compiler produced: with
// `nodedir` set in an npmrc, node-gyp silently compiles against the local Node headers instead of
// Electron's. This check catches that.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const moduleAbiOf = (file) => {
  const text = readFileSync(file).toString('latin1');
  const found = new Set([...text.matchAll(/node_register_module_v(\d+)/g)].map((m) => Number(m[1])));
  return found.size === 1 ? [...found][0] : null;
};

/** The ABI of the installed electron package (node_modules/electron/abi_version). */
export const electronAbi = (root) =>
  Number(readFileSync(join(root, 'node_modules/electron/abi_version'), 'utf8').trim());
