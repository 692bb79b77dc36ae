import { ApiError } from '../../libs/api/errors.js';

/** The ApiError `fn` throws; fails the test when it returns or throws anything else. */
export function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError, but the value was accepted');
}

/** Same for async validators. */
export async function apiErrorOfAsync(fn: () => Promise<unknown>): Promise<ApiError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError, but the value was accepted');
}
