import { centralctl } from './centralctl.ts';

centralctl(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`centralctl: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
