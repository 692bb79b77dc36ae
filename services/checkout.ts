// Where the checkout is, whether this code runs as TypeScript (<root>/services/*.ts, through tsx)
// or compiled (<root>/dist/services/*.js, `npm run build`): paths resolved against the checkout
// (the test data's default ../shared/data, the services' working directory) must not move into
// dist/ when the compiled code runs.
import { fileURLToPath } from 'node:url';

/** True when this module runs compiled, from dist/. */
export const COMPILED = !import.meta.url.endsWith('.ts');

/** The repository root (this module lies in services/, compiled or not). */
export const ROOT = fileURLToPath(new URL(COMPILED ? '../../' : '../', import.meta.url));
