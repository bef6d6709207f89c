import { z } from 'zod';

/** The admin endpoint's request and answer: a centralctl command run inside the server process. */
export const CtlRequest = z.object({ args: z.array(z.string().max(4096)).max(64), cwd: z.string().min(1).max(4096) });
export const CtlAnswer = z.object({ exitCode: z.number().int(), stdout: z.string(), stderr: z.string() });
export type CtlAnswer = z.infer<typeof CtlAnswer>;
export const ADMIN_CTL_PATH = '/admin/v1/ctl';

/** Sends a command to the running server's loopback admin endpoint (PGlite: one process per data dir). */
export const runRemote = async (adminUrl: string, token: string, args: string[], cwd: string): Promise<CtlAnswer> => {
  const res = await fetch(new URL(ADMIN_CTL_PATH, adminUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ args, cwd }),
  });
  const body: unknown = await res.json().catch(() => null);
  const parsed = CtlAnswer.safeParse(body);
  if (!res.ok || !parsed.success)
    throw new Error(`the central server's admin endpoint answered ${res.status}: ${JSON.stringify(body)}`);
  return parsed.data;
};
