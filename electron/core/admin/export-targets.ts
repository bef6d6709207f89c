import { execFile } from 'node:child_process';
import { accessSync, constants, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ExportTarget } from '../../../shared/admin.ts';

/**
 * Where IT can export .kbatch files: the removable drives this machine has mounted, found the way
 * the OS mounts them. A drive must really be mounted: writing to an empty /mnt/usb directory would
 * put the batches on the kiosk's own disk and leave the stick empty, so Linux targets come from the
 * kernel's mount table, not from directory listings.
 */

/** Mount points where desktops and admins put removable media (udisks: /media/USER/LABEL, /run/media/USER/LABEL). */
const LINUX_REMOVABLE = [
  /^\/media\/[^/]+$/,
  /^\/media\/[^/]+\/[^/]+$/,
  /^\/run\/media\/[^/]+\/[^/]+$/,
  /^\/mnt\/[^/]+$/,
];
/** Pseudo file systems that are never a drive someone carries away. */
const NOT_A_DRIVE = new Set([
  'autofs',
  'proc',
  'sysfs',
  'tmpfs',
  'devtmpfs',
  'cgroup',
  'cgroup2',
  'overlay',
  'squashfs',
  'fuse.portal',
  'binfmt_misc',
]);

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
const unescapeMount = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Mount points from /proc/self/mountinfo text that look like removable media. */
export const removableMountsFromMountinfo = (text: string): { path: string; fsType: string; source: string }[] => {
  const out: { path: string; fsType: string; source: string }[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (fields.length < 5 || dash < 0 || dash + 2 >= fields.length) continue;
    const path = unescapeMount(fields[4]!);
    const fsType = fields[dash + 1]!;
    if (NOT_A_DRIVE.has(fsType) || !LINUX_REMOVABLE.some((r) => r.test(path))) continue;
    out.push({ path, fsType, source: unescapeMount(fields[dash + 2]!) });
  }
  // /media/USER is sometimes itself a mount; its children are the drives.
  return out.filter((m) => !out.some((o) => o !== m && o.path.startsWith(`${m.path}/`)));
};

/** Windows: the drive letters of removable disks (DriveType 2), through PowerShell's CIM. */
export const windowsRemovableDrives = (
  run: (cmd: string, args: string[]) => Promise<string> = runFile,
): Promise<{ path: string; label: string }[]> =>
  run('powershell.exe', [
    '-NoProfile',
    '-NonInteractive',
    '-Command',
    "Get-CimInstance Win32_LogicalDisk -Filter 'DriveType=2' | ForEach-Object { $_.DeviceID + '|' + $_.VolumeName }",
  ]).then(
    (text) =>
      text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => /^[A-Z]:\|/.test(l))
        .map((l) => {
          const [letter, ...label] = l.split('|');
          return { path: `${letter}\\`, label: label.join('|').trim() || letter! };
        }),
    () => [],
  );

const runFile = (cmd: string, args: string[]): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 8_000, windowsHide: true }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });

/** macOS: every volume but the startup disk (which /Volumes links back to "/"). */
const macVolumes = (): { path: string; label: string }[] => {
  try {
    return readdirSync('/Volumes')
      .map((name) => join('/Volumes', name))
      .filter((p) => !lstatSync(p).isSymbolicLink())
      .map((p) => ({ path: p, label: basename(p) }));
  } catch {
    return [];
  }
};

export const freeBytesOf = async (path: string): Promise<number | null> => {
  try {
    const s = await statfs(path);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
};

export const isWritableDir = (path: string): boolean => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

export type TargetScan = {
  platform?: NodeJS.Platform;
  /** Linux: the mount table to read (default /proc/self/mountinfo). */
  mountinfo?: () => string;
  /** Windows: runs PowerShell (default execFile). */
  run?: (cmd: string, args: string[]) => Promise<string>;
};

/** The removable drives to offer, each with its free space and whether this process can write to it. */
export const listRemovableTargets = async (scan: TargetScan = {}): Promise<ExportTarget[]> => {
  const platform = scan.platform ?? process.platform;
  let found: { path: string; label: string }[] = [];
  if (platform === 'linux') {
    let text: string;
    try {
      text = (scan.mountinfo ?? (() => readFileSync('/proc/self/mountinfo', 'utf8')))();
    } catch {
      text = '';
    }
    found = removableMountsFromMountinfo(text).map((m) => ({ path: m.path, label: basename(m.path) }));
  } else if (platform === 'win32') {
    found = await windowsRemovableDrives(scan.run);
  } else if (platform === 'darwin') {
    found = macVolumes();
  }
  return Promise.all(
    found.map(async (f) => ({
      path: f.path,
      label: f.label,
      kind: 'removable' as const,
      freeBytes: await freeBytesOf(f.path),
      writable: isWritableDir(f.path),
    })),
  );
};
