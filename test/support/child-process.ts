import type { ChildProcess } from 'node:child_process';

/** What a child printed on stdout and stderr so far, for error messages. */
export type ChildLog = { text: string };

/**
 * Resolves with the first match of `pattern` in what `proc` prints (a server's "listening on …"
 * line), collecting its output in `log`; fails with that output if it exits or stays silent for
 * `timeoutMs`.
 */
export const waitForOutput = (
  proc: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs: number,
  log: ChildLog,
): Promise<RegExpExecArray> =>
  new Promise((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`${what} did not start in ${timeoutMs / 1000} s:\n${log.text}`)),
      timeoutMs,
    );
    proc.stdout!.on('data', (b: Buffer) => {
      log.text += b.toString();
      const m = pattern.exec(log.text);
      if (m) {
        clearTimeout(timer);
        ok(m);
      }
    });
    proc.stderr!.on('data', (b: Buffer) => (log.text += b.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${what} exited (${code}):\n${log.text}`));
    });
  });

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export const stopProcess = async (proc: ChildProcess, graceMs = 5_000): Promise<void> => {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
};
