import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { errorMessage } from '../../shared/error-message.ts';

/**
 * Where the kiosk keeps things and how the shell behaves, from (highest first) command-line flags,
 * environment variables, `<data dir>/shell.json`, and defaults. All of it is plain data so that it is
 * tested without Electron; main.ts passes in app.getPath('userData') and friends.
 *
 * | what            | flag                     | environment             | shell.json      | default                              |
 * | --------------- | ------------------------ | ----------------------- | --------------- | ------------------------------------ |
 * | data dir        | --data-dir=DIR           | KIOSK_DATA_DIR          | -               | <userData>/data (portable: next to the .exe) |
 * | config dir      | --config-dir=DIR         | KIOSK_CONFIG_DIR        | -               | <data dir>/config if present, else the shipped config (resources/assets/config) |
 * | logs            | -                        | -                       | -               | <data dir>/logs                      |
 * | cursor          | --cursor=show|hide|hide-on-touch | KIOSK_CURSOR    | cursor          | show                                 |
 * | keep awake      | --keep-awake=opening-hours|always|never | KIOSK_KEEP_AWAKE | keepAwake | opening-hours                 |
 * | display         | --display=N              | KIOSK_DISPLAY           | display         | primary display                      |
 * | staff display   | --staff-display=auto|off|N | KIOSK_STAFF_DISPLAY   | staffDisplay    | auto: a small staff window on another display when one is attached |
 * | start at login  | --start-at-login=on|off  | -                       | startAtLogin    | (left as it is)                      |
 * | development     | --dev                    | KIOSK_DEV=1             | -               | off; ignored in a packaged app       |
 * | export logs     | --export-logs=DIR        | -                       | -               | (copies the logs to DIR and exits)   |
 */

export const CursorPolicy = z.enum(['show', 'hide', 'hide-on-touch']);
export const KeepAwake = z.enum(['opening-hours', 'always', 'never']);

/** `<data dir>/shell.json`: what IT may set per kiosk PC without touching the shortcut. */
export const ShellFile = z
  .object({
    cursor: CursorPolicy.optional(),
    keepAwake: KeepAwake.optional(),
    display: z.number().int().min(0).max(16).optional(),
    staffDisplay: z.union([z.enum(['auto', 'off']), z.number().int().min(0).max(16)]).optional(),
    startAtLogin: z.boolean().optional(),
  })
  .strict();
export type ShellFile = z.infer<typeof ShellFile>;

export type ShellOptions = {
  dataDir: string;
  /** Undefined: the core decides (<data dir>/config when present, else the embedded config). */
  configDir: string | undefined;
  logsDir: string;
  cursor: z.infer<typeof CursorPolicy>;
  keepAwake: z.infer<typeof KeepAwake>;
  /** Index into screen.getAllDisplays(), or undefined for the primary display. */
  display: number | undefined;
  /** The staff window: on the first display other than the kiosk's ('auto'), on display N, or none. */
  staffDisplay: 'auto' | 'off' | number;
  startAtLogin: boolean | undefined;
  dev: boolean;
  exportLogsTo: string | undefined;
  /** Problems with flags or shell.json: logged, never fatal (a kiosk must come up). */
  warnings: string[];
};

export type ShellEnvironment = {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** app.getPath('userData') */
  userData: string;
  isPackaged: boolean;
  /** process.resourcesPath in a packaged app. */
  resourcesPath?: string;
  cwd: string;
  readFile?: (path: string) => string | null;
  exists?: (path: string) => boolean;
};

const defaultReadFile = (path: string): string | null => (existsSync(path) ? readFileSync(path, 'utf8') : null);

const SHELL_FLAGS = {
  'data-dir': { type: 'string' },
  'config-dir': { type: 'string' },
  cursor: { type: 'string' },
  'keep-awake': { type: 'string' },
  display: { type: 'string' },
  'staff-display': { type: 'string' },
  'start-at-login': { type: 'string' },
  dev: { type: 'boolean' },
  'export-logs': { type: 'string' },
} as const;

/** The shipped configuration in a packaged app (electron-builder extraResources). */
export const packagedConfigDir = (resourcesPath: string): string => join(resourcesPath, 'assets', 'config');

export const resolveShellOptions = (e: ShellEnvironment): ShellOptions => {
  const warnings: string[] = [];
  // strict: false: Chromium and test harnesses add their own switches (--inspect=0, --remote-debugging-port, …).
  const { values } = parseArgs({ args: [...e.argv], options: SHELL_FLAGS, strict: false, allowPositionals: true });
  const flag = (name: keyof typeof SHELL_FLAGS): string | undefined => {
    const v = values[name];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  };
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(e.cwd, p));
  const env = (name: string): string | undefined => {
    const v = e.env[name];
    return v !== undefined && v.trim().length > 0 ? v.trim() : undefined;
  };

  const portableDir = env('PORTABLE_EXECUTABLE_DIR');
  const dataDirRaw = flag('data-dir') ?? env('KIOSK_DATA_DIR');
  const dataDir = dataDirRaw
    ? abs(dataDirRaw)
    : portableDir && e.isPackaged
      ? join(portableDir, 'HaiLongKiosk-data')
      : join(e.userData, 'data');

  let file: ShellFile = {};
  const shellJson = join(dataDir, 'shell.json');
  try {
    const text = (e.readFile ?? defaultReadFile)(shellJson);
    if (text !== null) {
      const parsed = ShellFile.safeParse(JSON.parse(text));
      if (parsed.success) file = parsed.data;
      else
        warnings.push(
          `${shellJson} ignored: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
        );
    }
  } catch (err) {
    warnings.push(`${shellJson} ignored: ${errorMessage(err)}`);
  }

  const pick = <T extends string>(
    schema: z.ZodEnum<{ [K in T]: K }>,
    name: string,
    ...candidates: (string | undefined)[]
  ): T | undefined => {
    for (const c of candidates) {
      if (c === undefined) continue;
      const parsed = schema.safeParse(c);
      if (parsed.success) return parsed.data as T;
      warnings.push(`${name}="${c}" ignored: expected one of ${schema.options.join(', ')}`);
    }
    return undefined;
  };

  const cursor = pick(CursorPolicy, 'cursor', flag('cursor'), env('KIOSK_CURSOR'), file.cursor) ?? 'show';
  const keepAwake =
    pick(KeepAwake, 'keep-awake', flag('keep-awake'), env('KIOSK_KEEP_AWAKE'), file.keepAwake) ?? 'opening-hours';

  let display: number | undefined = file.display;
  const displayRaw = flag('display') ?? env('KIOSK_DISPLAY');
  if (displayRaw !== undefined) {
    if (/^\d{1,2}$/.test(displayRaw)) display = Number(displayRaw);
    else warnings.push(`display="${displayRaw}" ignored: expected a display number (0 = first)`);
  }

  let staffDisplay: ShellOptions['staffDisplay'] = file.staffDisplay ?? 'auto';
  const staffRaw = flag('staff-display') ?? env('KIOSK_STAFF_DISPLAY');
  if (staffRaw !== undefined) {
    if (staffRaw === 'auto' || staffRaw === 'off') staffDisplay = staffRaw;
    else if (/^\d{1,2}$/.test(staffRaw)) staffDisplay = Number(staffRaw);
    else warnings.push(`staff-display="${staffRaw}" ignored: expected auto, off or a display number (0 = first)`);
  }

  let startAtLogin = file.startAtLogin;
  const loginRaw = flag('start-at-login');
  if (loginRaw !== undefined) {
    if (loginRaw === 'on' || loginRaw === 'off') startAtLogin = loginRaw === 'on';
    else warnings.push(`start-at-login="${loginRaw}" ignored: expected on or off`);
  }

  const devAsked = values.dev === true || env('KIOSK_DEV') === '1';
  if (devAsked && e.isPackaged) warnings.push('--dev / KIOSK_DEV ignored: this is a packaged build');
  const configRaw = flag('config-dir') ?? env('KIOSK_CONFIG_DIR');
  const localConfig = join(dataDir, 'config');
  const exists = e.exists ?? existsSync;
  // Same rule as the core (<data dir>/config wins), but in a packaged app the shipped config is named
  // explicitly instead of relying on where the bundled main file sits.
  const configDir = configRaw
    ? abs(configRaw)
    : exists(localConfig)
      ? localConfig
      : e.isPackaged && e.resourcesPath
        ? packagedConfigDir(e.resourcesPath)
        : undefined;
  const exportRaw = flag('export-logs');

  return {
    dataDir,
    configDir,
    logsDir: join(dataDir, 'logs'),
    cursor,
    keepAwake,
    display,
    staffDisplay,
    startAtLogin,
    dev: devAsked && !e.isPackaged,
    exportLogsTo: exportRaw ? abs(exportRaw) : undefined,
    warnings,
  };
};
