// Issue 16: the server packaging (Dockerfile, .dockerignore, deploy/compose.yaml, the systemd unit),
// checked as far as it can be without a container engine: the Dockerfile passes a linter, every file it
// copies exists and is in the build context, its entrypoint starts the central service from a directory
// holding only those files, and the compose file parses and wires the health checks.
// Building and running the image itself needs a container engine and the base images; this machine has
// neither a Docker daemon nor podman, so that is not tested here.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const root = resolve(import.meta.dirname, '../..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
const dockerfileText = read('Dockerfile');
const dockerfile = DockerfileParser.parse(dockerfileText);

/** COPY sources taken from the build context (not from another stage). */
const contextSources = (): string[] =>
  dockerfile
    .getCOPYs()
    .filter((c) => c.getFromFlag() === null)
    .flatMap((c) =>
      c
        .getArguments()
        .slice(0, -1)
        .map((a) => a.getValue()),
    );

const jsonArgs = (instruction: { getJSONStrings: () => { getJSONValue: () => string }[] } | undefined): string[] =>
  instruction?.getJSONStrings().map((s) => s.getJSONValue()) ?? [];

/** The stage the image ends with: its instructions only. */
const finalStage = () => {
  const froms = dockerfile.getFROMs();
  const last = froms.at(-1);
  if (!last) throw new Error('no FROM');
  const startLine = last.getRange().start.line;
  return dockerfile.getInstructions().filter((i) => i.getRange().start.line >= startLine);
};

describe('Dockerfile', () => {
  test('passes the linter (dockerfile-utils) with no error or warning', () => {
    const problems = validate(dockerfileText).filter((d) => d.severity === 1 || d.severity === 2);
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  test('multi-stage; the final stage runs as a non-root user, has a health check, and copies no kiosk or Electron code', () => {
    expect(dockerfile.getFROMs().length).toBeGreaterThanOrEqual(2);
    const stage = finalStage();
    const users = stage.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent());
    expect(users.at(-1)).toBe('node');
    const health = stage.find((i) => i.getKeyword() === 'HEALTHCHECK');
    expect(health?.getArgumentsContent()).toMatch(/\/health\/ready/);
    for (const src of contextSources()) expect(src).not.toMatch(/electron|renderer|^test|^dist|node_modules/);
    expect(dockerfileText).toMatch(/npm ci --omit=dev --ignore-scripts/);
    const pkg = z.object({ dependencies: z.record(z.string(), z.string()) }).parse(JSON.parse(read('package.json')));
    // What the image's production install would bring: never Electron.
    expect(Object.keys(pkg.dependencies)).not.toContain('electron');
    // The entrypoint runs TypeScript through tsx, which must therefore be a production dependency.
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['tsx', 'esbuild', 'prom-client']));
  });

  test('every COPY source exists and is let through by the .dockerignore allow-list', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/$/, ''));
    const sources = contextSources();
    expect(sources.length).toBeGreaterThan(3);
    for (const src of sources) {
      expect(existsSync(join(root, src)), src).toBe(true);
      expect(allowed, src).toContain(src.replace(/\/$/, ''));
    }
  });
});

describe('the entrypoint from a clean build directory', () => {
  let dir: string | undefined;
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("holding only the Dockerfile's COPY sources (and node_modules), ENTRYPOINT starts a central that becomes ready and stops on SIGTERM", async () => {
    dir = mkdtempSync(join(tmpdir(), 'central-image-'));
    const app = join(dir, 'app');
    for (const src of contextSources()) cpSync(join(root, src), join(app, src), { recursive: true });
    // The image's node_modules is `npm ci --omit=dev`; here the repository's stands in for it.
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
    const entrypoint = jsonArgs(dockerfile.getENTRYPOINTs()[0]);
    expect(entrypoint.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    const [cmd, ...args] = entrypoint;
    const proc = spawn(cmd ?? 'node', [...args, '--data-dir', join(dir, 'data'), '--port', '0'], {
      cwd: app,
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line in 60 s:\n${out}`)), 60_000);
      proc.stdout?.on('data', () => {
        const m = /listening on (http:\/\/[^\s]+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolveUrl(m[1]);
        }
      });
      proc.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    });
    const ready = await fetch(`${new URL(url).origin}/health/ready`);
    expect(ready.status, out).toBe(200);
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});

const Healthcheck = z.object({ test: z.array(z.string()) });
const Compose = z.object({
  services: z.object({
    postgres: z.object({ image: z.string(), healthcheck: Healthcheck }),
    central: z.object({
      build: z.object({ context: z.string(), dockerfile: z.string() }),
      read_only: z.literal(true),
      cap_drop: z.array(z.string()),
      depends_on: z.object({ postgres: z.object({ condition: z.literal('service_healthy') }) }),
      healthcheck: Healthcheck,
      command: z.array(z.string()),
      environment: z.record(z.string(), z.string()),
    }),
    proxy: z.object({
      depends_on: z.object({ central: z.object({ condition: z.literal('service_healthy') }) }),
      ports: z.array(z.string()),
    }),
  }),
});

describe('deploy/compose.yaml', () => {
  const compose = Compose.parse(parseYaml(read('deploy/compose.yaml')));

  test('parses; PostgreSQL, the service and a TLS proxy, each waiting on the health check before it', () => {
    const { central, postgres, proxy } = compose.services;
    expect(postgres.healthcheck.test.join(' ')).toMatch(/pg_isready/);
    expect(central.healthcheck.test.join(' ')).toMatch(/\/health\/ready/);
    expect(central.cap_drop).toEqual(['ALL']);
    expect(proxy.ports).toEqual(['80:80', '443:443']);
    // The build context is the repository root, where the Dockerfile and .dockerignore are.
    const composeDir = join(root, 'deploy');
    expect(resolve(composeDir, central.build.context)).toBe(root);
    expect(existsSync(join(resolve(composeDir, central.build.context), central.build.dockerfile))).toBe(true);
    expect(central.environment['DATABASE_URL']).toMatch(/^postgres:\/\/central:\$\{POSTGRES_PASSWORD:\?/);
  });

  test("the service's command uses only flags central/main.ts accepts, and the Caddyfile forwards to its port", () => {
    const help = execFileSync('node', ['--import', 'tsx', 'central/main.ts', '--help'], {
      cwd: root,
      encoding: 'utf8',
    });
    for (const flag of compose.services.central.command.filter((a) => a.startsWith('--')))
      expect(help, flag).toMatch(new RegExp(`^\\s+${flag}\\b`, 'm'));
    const caddy = read('deploy/Caddyfile');
    expect(caddy).toMatch(/reverse_proxy central:4790/);
    expect(caddy).toMatch(/@internal path \/health\/\* \/admin\/\* \/metrics/);
    expect(existsSync(join(dirname(join(root, 'deploy/compose.yaml')), 'Caddyfile'))).toBe(true);
  });
});

describe('deploy/systemd/hailong-central.service', () => {
  const unit = read('deploy/systemd/hailong-central.service');
  const settings = new Map<string, string[]>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m?.[1]) settings.set(m[1], [...(settings.get(m[1]) ?? []), m[2] ?? '']);
  }
  const one = (key: string) => settings.get(key)?.at(-1);

  test('is hardened and runs the same entrypoint as the image', () => {
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('User')).not.toBe('root');
    expect(one('StateDirectory')).toBe('hailong-central');
    expect(one('ExecStart')).toMatch(
      /^\/usr\/bin\/node --import tsx central\/main\.ts .*--data-dir \/var\/lib\/hailong-central/,
    );
    expect(one('ExecStart')).toMatch(/--host 127\.0\.0\.1/);
  });
});
