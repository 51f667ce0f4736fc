import { SelfsnapError } from '../errors/index.js';

/** A request whose method its path does not serve; the answer's Allow header lists those it does. */
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
