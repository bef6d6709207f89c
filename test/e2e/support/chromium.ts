import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The system Chromium to drive; CHROMIUM_PATH overrides. Throws a message saying what to install. */
export const chromiumPath = (): string => {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `No system Chromium found (looked in ${CANDIDATES.join(', ')}). Install one with "apt-get install -y chromium" or set CHROMIUM_PATH; ` +
        '"npx playwright install" cannot download browsers on these machines.',
    );
  }
  return found;
};
