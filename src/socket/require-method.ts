import { SelfsnapError } from '../errors/index.js';

/** Error for a method the path does not serve; the response's Allow header lists the ones it does. */
export class MethodNotAllowedError extends SelfsnapError {
  constructor(
    actual: string,
    readonly allowed: readonly string[],
  ) {
    super(
      'METHOD_NOT_ALLOWED',
      `method ${actual} is not allowed here; use ${allowed.join(' or ')}`,
    );
  }
}

/** Throws MethodNotAllowedError unless the request's method is one of `allowed`. */
export function requireMethod(actual: string, allowed: readonly string[]): void {
  if (!allowed.includes(actual)) throw new MethodNotAllowedError(actual, allowed);
}
