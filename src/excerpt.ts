// The input quoted in messages: a value, a key, a line of a file. Whatever a file holds (a CSV
// or /etc/passwd given as a manifest, a 1 MB line, a binary), a message shows at most a short
// excerpt of it, on one line, with control characters escaped. scenario/errors.ts formats every
// problem through boundedText, the backstop for a message that quotes without these.

/** The most of the input a message quotes: a value, a line of a file, a key. */
export const EXCERPT_CHARS = 120;
/** The longest part (message, hint, field path) of a printed problem; the longest capsim writes
 *  itself is about 200 characters (a list of the kinds capsim reads). */
export const MAX_MESSAGE_CHARS = 400;

/** C0 and C1 control characters, and the invisible characters that reorder or break a line
 *  (bidirectional marks and overrides, line and paragraph separators). */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const HAS_INVISIBLE = new RegExp(INVISIBLE.source);

function escapeInvisible(text: string): string {
  if (!HAS_INVISIBLE.test(text)) return text;
  return text.replace(INVISIBLE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The first `max` characters, not splitting a surrogate pair. */
function head(text: string, max: number): string {
  return text.slice(0, isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max);
}

/** Text of the input on one line as a message shows it: at most `max` characters, cut with "…",
 *  control characters escaped (\n, \u001b), so neither a 1 MB line nor a terminal escape
 *  sequence of a binary file reaches the terminal or a CSV cell. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  return escapeInvisible(text.length > max ? `${head(text, max)}…` : text);
}

/** A string of the input in double quotes, as JSON writes it ("web", "a \"b\""), cut like excerpt. */
export function quote(text: string, max = EXCERPT_CHARS): string {
  return escapeInvisible(JSON.stringify(text.length > max ? `${head(text, max)}…` : text));
}

/** Any value of the input as JSON (a string quoted, a mapping as {...}), cut like excerpt. */
export function quoteValue(value: unknown, max = EXCERPT_CHARS): string {
  if (typeof value === 'string') return quote(value, max);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined; // a cycle (recursive YAML aliases)
  }
  return excerpt(json ?? String(value), max);
}

/** A message's part at most `max` characters: its start and its end around " … ", so that the
 *  words after an overlong value (what was expected) still show; invisible characters escaped. */
export function boundedText(text: string, max = MAX_MESSAGE_CHARS): string {
  if (text.length <= max) return escapeInvisible(text);
  let from = text.length - Math.floor(max / 4);
  if (isLowSurrogate(text.charCodeAt(from))) from++;
  return `${escapeInvisible(head(text, max - (text.length - from)))} … ${escapeInvisible(text.slice(from))}`;
}
