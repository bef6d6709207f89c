import { readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import { sep } from 'node:path';

export type MachineFacts = {
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  loadAverage: string;
  benchDir: string;
  filesystem: string;
  date: string;
};

/** Filesystem type and device holding a path, from /proc/mounts (Linux); "unknown" elsewhere. */
export const filesystemOf = (path: string): string => {
  try {
    const real = realpathSync(path);
    let best: { mount: string; type: string; device: string } | null = null;
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [device, rawMount, type] = line.split(' ');
      if (!device || !rawMount || !type) continue;
      const mount = rawMount.replace(/\\040/g, ' ');
      const inside = mount === '/' || real === mount || real.startsWith(mount.endsWith(sep) ? mount : mount + sep);
      if (inside && (!best || mount.length >= best.mount.length)) best = { mount, type, device };
    }
    return best ? `${best.type} (${best.device} on ${best.mount})` : 'unknown';
  } catch {
    return 'unknown';
  }
};

export const machineFacts = (benchDir: string): MachineFacts => ({
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
  cores: os.availableParallelism(),
  memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  loadAverage: os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' '),
  benchDir,
  filesystem: filesystemOf(benchDir),
  date: new Date().toISOString(),
});
