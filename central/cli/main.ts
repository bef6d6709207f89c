import { restrictUmask } from '../data-dir.ts';
import { centralctl } from './centralctl.ts';
import { errorMessage } from '../../shared/error-message.ts';
import { terminalSafe } from '../../shared/terminal-text.ts';

// Files centralctl creates (PGlite's, exports) are the service user's alone, whatever the umask.
restrictUmask();
centralctl(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(terminalSafe(`centralctl: ${errorMessage(e)}\n`));
    process.exitCode = 1;
  },
);
