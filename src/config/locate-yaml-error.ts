import { isMap, isScalar, isSeq, type Document, type YAMLError } from 'yaml';
import { formatKeyPath } from './format-key-path.js';

// Keys shown of a path into deep nesting; the line and column point at the rest.
const MAX_PATH_KEYS = 8;

type Node = { range?: [number, number, number] | null };

function contains(node: unknown, offset: number): boolean {
  const range = (node as Node | null)?.range;
  return range !== undefined && range !== null && range[0] <= offset && offset < range[2];
}

/** Returns the key path of the deepest map entry or list item that contains `offset`. */
function keyPathAt(node: unknown, offset: number): string[] {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!contains(pair.key, offset) && !contains(pair.value, offset)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      return [key, ...keyPathAt(pair.value, offset)];
    }
  }
  if (isSeq(node)) {
    const index = node.items.findIndex((item) => contains(item, offset));
    if (index >= 0) return [String(index), ...keyPathAt(node.items[index], offset)];
  }
  return [];
}

/**
 * Describes a YAML syntax error with where it is: the key path when the error sits inside an
 * entry the parser could still read (a duplicate key, a bad value), and always line and column.
 */
export function locateYamlError(text: string, document: Document, error: YAMLError): string {
  const offset = error.pos[0];
  const before = text.slice(0, offset).split('\n');
  const line = before.length;
  const column = (before.at(-1)?.length ?? 0) + 1;
  const path = formatKeyPath(keyPathAt(document.contents, offset).slice(0, MAX_PATH_KEYS));
  const where = `line ${line}, column ${column}`;
  const message = error.code === 'DUPLICATE_KEY' ? 'duplicate key' : error.message;
  return path === ''
    ? `${where}: invalid YAML: ${message}`
    : `${path}: invalid YAML: ${message} (${where})`;
}
