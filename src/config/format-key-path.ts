// Maximum characters of a key shown in a message; a longer key is cut with an ellipsis.
const MAX_KEY_CHARS = 40;
// Printable ASCII, except what would make a path ambiguous: dots, quotes and backslashes.
const PLAIN_KEY = /^[\x21-\x7e]+$/;
const AMBIGUOUS = /["\\.]/;

/**
 * Formats a key path for a message: `policies.nightly.schedule`. A key with spaces, dots,
 * quotes or characters outside printable ASCII is quoted and escaped as JSON, and a long one is cut, so a key of binary junk or of 100,000
 * characters still gives a short, one-line message.
 */
export function formatKeyPath(keys: readonly PropertyKey[]): string {
  return keys.map(formatKey).join('.');
}

function formatKey(key: PropertyKey): string {
  const text = String(key);
  const cut = text.length > MAX_KEY_CHARS ? `${text.slice(0, MAX_KEY_CHARS)}…` : text;
  return PLAIN_KEY.test(text) && !AMBIGUOUS.test(text) ? cut : JSON.stringify(cut);
}

/** Replaces control characters with `\uXXXX` escapes, so a message stays on one line. */
export function escapeControlCharacters(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => {
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
