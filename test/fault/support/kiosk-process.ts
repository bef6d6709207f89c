/**
 * A kiosk process for the fault suite (sync-child.ts, bundled): spawned on a data dir, read line by
 * line, waited for, and SIGKILLed.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export type KioskProcess = {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves when a line matches; rejects on timeout or when the process exits first. */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly alive: boolean;
  kill: () => void;
};

export const spawnKiosk = (script: string, args: string[], env: Record<string, string>): KioskProcess => {
  const proc = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buf = '';
  let err = '';
  let alive = true;
  const waiters = new Set<() => void>();
  proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  });
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => {
      alive = false;
      for (const w of waiters) w();
      resolve({ code, signal });
    }),
  );
  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = lines.find((l) => pattern.test(l));
        if (hit !== undefined) return done(() => resolve(hit));
        if (!alive)
          done(() =>
            reject(new Error(`the kiosk process exited before printing ${pattern}; stderr: ${err.slice(-2000)}`)),
          );
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `no ${pattern} from the kiosk process within ${timeoutMs} ms; last lines: ${lines.slice(-3).join(' | ')}; stderr: ${err.slice(-2000)}`,
              ),
            ),
          ),
        timeoutMs,
      );
      const done = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        then();
      };
      waiters.add(check);
      check();
    });
  return {
    proc,
    lines,
    stderr: () => err,
    waitFor,
    exited,
    get alive() {
      return alive;
    },
    kill: () => {
      if (alive) proc.kill('SIGKILL');
    },
  };
};
