// Types for scripts/test-prerequisites.mjs (plain JavaScript so it runs before `npm ci` has installed tsx).
export declare const APT_PACKAGES: Record<'chromium' | 'fonts-noto-core' | 'postgresql' | 'espeak-ng', string>;

export type Machine = {
  isRoot: boolean;
  hasAptGet: boolean;
  hasChromium: boolean;
  hasNotoSans: boolean;
  hasPostgres: boolean;
  hasEspeak: boolean;
  missingModules: string[];
  sqliteLoads: boolean;
};

export type Decision =
  { action: 'ready' } | { action: 'install'; packages: string[] } | { action: 'stop'; line: string };

export declare function probeMachine(root: string, env: NodeJS.ProcessEnv): Machine;
export declare function missingModules(root: string): string[];
export declare function decide(machine: Machine): Decision;
