/**
 * Child processes of the sync bench: the kiosk draining its backlog, and the 200-kiosk fleet. Both
 * are bundled once (plain node, no tsx loader in the kiosk's memory) and answer one JSON line.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleChild } from '../support/bundle-child.ts';
import type { FleetPlan, FleetResult } from './sync-fleet-child.ts';
import type { SyncChildResult } from './sync-kiosk-child.ts';

export type SyncChildren = {
  drain: (dataDir: string, env: Record<string, string>, progress: (m: string) => void) => Promise<SyncChildResult>;
  fleet: (plan: FleetPlan, progress: (m: string) => void) => Promise<FleetResult>;
};

const runJson = <T>(
  script: string,
  args: string[],
  env: Record<string, string>,
  onStderr: (line: string) => void,
): Promise<T> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      partial += c;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) onStderr(l);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) return reject(new Error(`${script} exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(line) as T);
      } catch (e) {
        reject(new Error(`${script} printed no JSON result: ${line.slice(0, 200)}`, { cause: e }));
      }
    });
  });

export const prepareChildren = async (workDir: string): Promise<SyncChildren> => {
  const drainScript = await bundleChild('test/bench/sync-kiosk-child.ts', join(workDir, 'sync-kiosk-child.mjs'));
  const fleetScript = await bundleChild('test/bench/sync-fleet-child.ts', join(workDir, 'sync-fleet-child.mjs'));
  return {
    drain: (dataDir, env, progress) =>
      runJson<SyncChildResult>(drainScript, [dataDir], env, (l) => {
        const m = /^progress (\d+) (\d+)$/.exec(l);
        if (m)
          progress(`  kiosk: ${Number(m[1]).toLocaleString('en')} / ${Number(m[2]).toLocaleString('en')} acknowledged`);
        else if (l.trim()) progress(`  kiosk: ${l}`);
      }),
    fleet: (plan, progress) => {
      const file = join(workDir, 'fleet-plan.json');
      writeFileSync(file, JSON.stringify(plan));
      return runJson<FleetResult>(fleetScript, [file], {}, (l) => l.trim() && progress(`  ${l}`));
    },
  };
};
