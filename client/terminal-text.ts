/**
 * What the `fastify-jsonrpc` command (and the client's `log: true`) prints
 * comes partly from the server (answers, error messages, status lines) and a
 * terminal obeys control characters: a hostile server could clear the
 * screen, move the cursor, retitle the window or fake a line of output.
 * Every line is printed through `escapeForTerminal`.
 *
 * Escaped, in the notation of JSON strings so that a JSON text stays readable:
 * - C0 controls U+0000-U+001F: `\n`, `\r`, `\t`, `\b`, `\f`, else `\u001b`...
 *   (ESC escaped leaves an ANSI sequence inert and visible: `\u001b[2J`);
 * - DEL U+007F and the C1 controls U+0080-U+009F (U+009B is a one-character CSI);
 * - U+2028 and U+2029, which some terminals break lines on;
 * - the bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E,
 *   U+2066-U+2069), which reorder what is shown.
 * Backslashes are left as they are: a JSON text keeps its own escapes.
 */

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

function escapeOne (character: string): string {
  return SHORT[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`
}

export function escapeForTerminal (text: string): string {
  return text.replace(UNSAFE, escapeOne)
}
