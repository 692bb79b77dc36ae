// Where the checkout is, from the facerec command's modules, whether they run as TypeScript
// (<root>/services/cli/*.ts, through tsx) or compiled (<root>/dist/services/cli/*.js, `npm run build`):
// paths a command resolves against the checkout (the test data's default, ../shared/data) must not
// move into dist/ when the compiled code runs.
import { fileURLToPath } from 'node:url';

/** The repository root for a module of services/cli, given its import.meta.url. */
export function checkoutRoot(moduleUrl: string): string {
  return fileURLToPath(new URL(moduleUrl.endsWith('.ts') ? '../../' : '../../../', moduleUrl));
}

/** The repository root (this module lies in services/cli, compiled or not). */
export const ROOT = checkoutRoot(import.meta.url);
