// Where the admin panel offers to export: removable drives from the kernel's mount table (Linux),
// PowerShell's removable disks (Windows); never a bare directory that nothing is mounted on.
import { afterEach, describe, expect, it } from 'vitest';
import {
  listRemovableTargets,
  removableMountsFromMountinfo,
  windowsRemovableDrives,
} from '../../electron/core/admin/export-targets.ts';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { call, okValue, silentLog } from '../support/kiosk.ts';
import { tempDir } from '../support/tmp.ts';

// A desktop with a stick auto-mounted by udisks, one mounted by hand, a CD, the root disk and pseudo file systems.
const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw',
  '60 27 8:17 / /media/lan/KINGSTON rw,nosuid,nodev,relatime shared:300 - vfat /dev/sdb1 rw,fmask=0022',
  '61 27 8:33 / /media/lan/USB\\040CUA\\040LAN rw,nosuid,nodev - exfat /dev/sdc1 rw',
  '62 27 8:49 / /mnt/usb rw,relatime - vfat /dev/sdd1 rw',
  '63 27 11:0 / /run/media/it/CDROM ro,nosuid - iso9660 /dev/sr0 ro',
  '64 27 0:50 / /mnt/ramdisk rw - tmpfs tmpfs rw',
  '65 27 0:51 / /media/cdrom rw - autofs systemd-1 rw',
  '66 27 8:2 / /home rw,relatime - ext4 /dev/vda2 rw',
  '67 27 0:52 / /mnt/deep/er/path rw - vfat /dev/sde1 rw',
  'garbage line',
  '',
].join('\n');

const cleanups: (() => unknown)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('removable drives on Linux', () => {
  it('are the mounts under /media, /run/media and /mnt that are real file systems, names unescaped', () => {
    expect(removableMountsFromMountinfo(MOUNTINFO)).toEqual([
      { path: '/media/lan/KINGSTON', fsType: 'vfat', source: '/dev/sdb1' },
      { path: '/media/lan/USB CUA LAN', fsType: 'exfat', source: '/dev/sdc1' },
      { path: '/mnt/usb', fsType: 'vfat', source: '/dev/sdd1' },
      { path: '/run/media/it/CDROM', fsType: 'iso9660', source: '/dev/sr0' },
    ]);
  });

  it('a mount on /media/USER itself gives way to the drives below it', () => {
    const text = [
      '70 27 0:60 / /media/lan rw - tmpfs tmpfs rw',
      '71 70 8:17 / /media/lan/KINGSTON rw - vfat /dev/sdb1 rw',
      '72 27 8:33 / /media/STICK rw - vfat /dev/sdc1 rw',
    ].join('\n');
    // tmpfs is never a drive anyway; an ext4 /media/lan would be dropped for its child too.
    expect(removableMountsFromMountinfo(text.replace('tmpfs tmpfs', 'ext4 /dev/sdz')).map((m) => m.path)).toEqual([
      '/media/lan/KINGSTON',
      '/media/STICK',
    ]);
  });

  it('through the core: each target with free space and whether it is writable (missing mounts: neither)', async () => {
    const t = tempDir('kiosk-targets-');
    const core = openKioskCore({
      dataDir: t.dir,
      log: silentLog,
      exportTargets: { platform: 'linux', mountinfo: () => MOUNTINFO },
    });
    cleanups.push(t.cleanup, () => core.close());
    const session = okValue(await call(core, 'adminUnlock', { pin: '924680' })).session;
    const r = okValue(await call(core, 'adminListExportTargets', { session }));
    expect(r.targets.map((x) => [x.path, x.label, x.kind])).toEqual([
      ['/media/lan/KINGSTON', 'KINGSTON', 'removable'],
      ['/media/lan/USB CUA LAN', 'USB CUA LAN', 'removable'],
      ['/mnt/usb', 'usb', 'removable'],
      ['/run/media/it/CDROM', 'CDROM', 'removable'],
    ]);
    // None of these exists on the test machine.
    for (const x of r.targets) expect([x.freeBytes, x.writable]).toEqual([null, false]);
  });

  it('on this machine the real mount table reads without error, and every target found is a directory', async () => {
    const found = await listRemovableTargets({ platform: 'linux' });
    for (const x of found) expect(x.path).toMatch(/^\/(media|run\/media|mnt)\//);
  });
});

describe('removable drives on Windows', () => {
  it('are the drive letters PowerShell lists as removable, with their labels', async () => {
    const calls: string[][] = [];
    const drives = await windowsRemovableDrives(async (cmd, args) => {
      calls.push([cmd, ...args]);
      return 'E:|KINGSTON\r\nF:|\r\n\r\nnot a drive\r\n';
    });
    expect(drives).toEqual([
      { path: 'E:\\', label: 'KINGSTON' },
      { path: 'F:\\', label: 'F:' },
    ]);
    expect(calls[0]![0]).toBe('powershell.exe');
    expect(calls[0]!.at(-1)).toContain('DriveType=2');
  });

  it('no PowerShell (or it failed): no drives, and the folder field still works', async () => {
    expect(
      await windowsRemovableDrives(async () => {
        throw new Error('ENOENT');
      }),
    ).toEqual([]);
  });
});
