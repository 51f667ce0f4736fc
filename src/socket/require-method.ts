import { SelfsnapError } from '../errors/index.js';

/** Throws METHOD_NOT_ALLOWED unless the request's method is one of `allowed`. */
export function requireMethod(actual: string, allowed: string[]): void {
  if (!allowed.includes(actual)) {
    throw new SelfsnapError(
      'METHOD_NOT_ALLOWED',
      `method ${actual} is not allowed here; use ${allowed.join(' or ')}`,
    );
  }
}
