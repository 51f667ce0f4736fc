/**
 * Returns the `module.exports` of a CommonJS package loaded with a dynamic `import()`. Node.js
 * puts them under `default`, while tsx and esbuild bundles return them as the namespace itself
 * when the package sets `__esModule`. The @alicloud packages export their main class as
 * `default`, so the shape with a `default` inside `default` is the Node.js one.
 */
export function commonJsExports<T extends { default: unknown }>(namespace: { default: T } | T): T {
  const wrapped = (namespace as { default: unknown }).default;
  if (typeof wrapped === 'object' && wrapped !== null && 'default' in wrapped) return wrapped as T;
  return namespace as T;
}
