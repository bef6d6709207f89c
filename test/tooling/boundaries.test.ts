import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The process boundaries are lint rules; these probes prove they bite. Each probe is linted as if it
 * lived at the given path, without being written to disk.
 */
const eslint = new ESLint({ cwd: process.cwd() });

const restrictedIn = async (filePath: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
};

const cases: { where: string; code: string; allowed: boolean }[] = [
  {
    where: 'shared/probe.ts',
    code: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    allowed: false,
  },
  { where: 'shared/probe.ts', code: "import fs from 'fs';\nexport const x = fs;\n", allowed: false },
  { where: 'shared/probe.ts', code: 'export const x = () => window.location.href;\n', allowed: false },
  { where: 'shared/probe.ts', code: "import { z } from 'zod';\nexport const x = z.string();\n", allowed: true },
  {
    where: 'shared/node/probe.ts',
    code: "import { createHash } from 'node:crypto';\nexport const x = createHash;\n",
    allowed: true,
  },
  {
    where: 'shared/node/probe.ts',
    code: "import Database from 'better-sqlite3';\nexport const x = Database;\n",
    allowed: false,
  },
  { where: 'electron/core/probe.ts', code: "import { app } from 'electron';\nexport const x = app;\n", allowed: false },
  {
    where: 'electron/core/probe.ts',
    code: "import Fastify from 'fastify';\nexport const x = Fastify;\n",
    allowed: false,
  },
  {
    where: 'electron/core/probe.ts',
    code: "import Database from 'better-sqlite3';\nexport const x = Database;\n",
    allowed: true,
  },
  {
    where: 'electron/core/sync/probe.ts',
    code: "import type { KioskCore } from '../kiosk-core.ts';\nexport type X = KioskCore;\n",
    allowed: false,
  },
  {
    where: 'electron/core/sync/probe.ts',
    code: "import type { SyncEngine } from '../admin/work.ts';\nexport type X = SyncEngine;\n",
    allowed: false,
  },
  {
    where: 'electron/core/sync/probe.ts',
    code: "import Database from 'better-sqlite3';\nimport { app } from 'electron';\nexport const x = [Database, app];\n",
    allowed: false,
  },
  {
    where: 'electron/core/sync/probe.ts',
    code: "import { audit } from '../store/audit.ts';\nexport const x = audit;\n",
    allowed: true,
  },
  {
    where: 'electron/host/probe.ts',
    code: "import { BrowserWindow } from 'electron';\nexport const x = BrowserWindow;\n",
    allowed: false,
  },
  {
    where: 'electron/shell/probe.ts',
    code: "import { BrowserWindow } from 'electron';\nexport const x = BrowserWindow;\n",
    allowed: true,
  },
  {
    where: 'renderer/probe.ts',
    code: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    allowed: false,
  },
  {
    where: 'renderer/probe.ts',
    code: "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n",
    allowed: false,
  },
  {
    where: 'renderer/probe.ts',
    code: "import { openKioskCore } from '../electron/core/kiosk-core.ts';\nexport const x = openKioskCore;\n",
    allowed: false,
  },
  {
    where: 'renderer/probe.ts',
    code: "import { makeSigned } from '../shared/node/signing.ts';\nexport const x = makeSigned;\n",
    allowed: false,
  },
  {
    where: 'central/probe.ts',
    code: "import { openKioskCore } from '../electron/core/kiosk-core.ts';\nexport const x = openKioskCore;\n",
    allowed: false,
  },
  {
    where: 'central/probe.ts',
    code: "import { makeSigned } from '../shared/node/signing.ts';\nexport const x = makeSigned;\n",
    allowed: true,
  },
];

describe('import boundaries', () => {
  for (const c of cases) {
    it(`${c.allowed ? 'allow' : 'refuse'} in ${c.where}: ${c.code.split('\n')[0]}`, async () => {
      const messages = await restrictedIn(c.where, c.code);
      if (c.allowed) expect(messages).toEqual([]);
      else expect(messages.length).toBeGreaterThan(0);
    });
  }
});
