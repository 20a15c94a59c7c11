/**
 * Splits a master file into entries and fields (RFC 1035 §5.1) without copying them: a field is
 * a pair of offsets into the text, and the parser slices only the fields it keeps. One entry is
 * one line, or several when parentheses span lines.
 *
 * Fields keep their escapes (`\.`, `\DDD`) and quoted fields keep their quotes, so that the name
 * and rdata parsers see exactly what was written: `a\.b` is one label, `"a b"` is one
 * character-string. The scanner only needs to know that a backslash takes the next character
 * literally, so an escaped space, `;`, `(`, `)` or `"` does not end a field.
 *
 * Speed: this runs over every character of zones with a million records, so it walks char codes
 * with no regular expression and no allocation but the two offset arrays.
 */

const TAB = 0x09;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const LPAREN = 0x28;
const RPAREN = 0x29;
const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;

export interface ScanProblem {
  readonly line: number;
  readonly reason: string;
  readonly hint: string;
}

export class MasterFileScanner {
  /** Offsets of the current entry's fields: field k is text.slice(starts[k], ends[k]). */
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  count = 0;
  /** The line (1-based) where the current entry starts. */
  line = 0;
  /** RFC 1035 §5.1: an entry that starts with a blank has no owner field (it reuses the last). */
  isOwnerBlank = false;
  /** Set when the current entry cannot be split; the parser reports it and skips the entry. */
  problem: ScanProblem | undefined;

  private pos = 0;
  private lineNo = 0;

  constructor(readonly text: string) {}

  /** Moves to the next entry that has fields or a problem; false at the end of the text. */
  next(): boolean {
    const text = this.text;
    const length = text.length;
    this.count = 0;
    this.problem = undefined;
    let depth = 0;
    let openLine = 0;
    while (this.pos < length) {
      const lineStart = this.pos;
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = length;
      this.pos = lineEnd + 1;
      const lineNo = ++this.lineNo;
      if (depth === 0) {
        this.line = lineNo;
        const first = text.charCodeAt(lineStart);
        this.isOwnerBlank = first === SPACE || first === TAB;
      }
      let i = lineStart;
      while (i < lineEnd) {
        const c = text.charCodeAt(i);
        if (c === SPACE || c === TAB || c === CR) {
          i++;
        } else if (c === SEMICOLON) {
          break;
        } else if (c === LPAREN) {
          if (depth++ === 0) openLine = lineNo;
          i++;
        } else if (c === RPAREN) {
          if (depth > 0) depth--;
          else this.fail(lineNo, '")" without a "(" before it', 'remove it, or add the "(" where the record starts');
          i++;
        } else if (c === QUOTE) {
          const end = this.quoteEnd(i + 1, lineEnd);
          if (end < 0) {
            this.fail(
              lineNo,
              'a quoted string is not closed on its line',
              'add the closing " (write \\" for a quote inside the string)',
            );
            depth = 0; // end the entry here: better a few more errors than silently eating lines
            break;
          }
          this.push(i, end);
          i = end;
        } else {
          const end = this.fieldEnd(i, lineEnd);
          if (end > lineEnd) {
            this.fail(
              lineNo,
              'a backslash at the end of a line escapes nothing',
              'remove it, or write \\\\ for a backslash',
            );
            this.push(i, lineEnd);
            i = lineEnd;
          } else {
            this.push(i, end);
            i = end;
          }
        }
      }
      if (depth === 0 && (this.count > 0 || this.problem !== undefined)) return true;
    }
    if (depth > 0) {
      this.fail(openLine, '"(" is never closed', 'add the ")" that ends this record');
      return true;
    }
    return this.count > 0 || this.problem !== undefined;
  }

  /** The offset after the closing quote of a string whose content starts at `i`, or -1. */
  private quoteEnd(i: number, lineEnd: number): number {
    const text = this.text;
    while (i < lineEnd) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) i += 2;
      else if (c === QUOTE) return i + 1;
      else i++;
    }
    return -1;
  }

  /** The offset after an unquoted field; beyond `lineEnd` when its last character is a lone backslash. */
  private fieldEnd(i: number, lineEnd: number): number {
    const text = this.text;
    while (i < lineEnd) {
      const c = text.charCodeAt(i);
      if (c === BACKSLASH) {
        i += 2;
      } else if (
        c === SPACE || c === TAB || c === CR || c === SEMICOLON || c === LPAREN || c === RPAREN || c === QUOTE
      ) {
        return i;
      } else {
        i++;
      }
    }
    return i;
  }

  private push(start: number, end: number): void {
    if (this.count === this.starts.length) {
      const starts = new Int32Array(this.count * 2);
      const ends = new Int32Array(this.count * 2);
      starts.set(this.starts);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  /** The first problem of an entry is the one worth reading; later ones are often its echo. */
  private fail(line: number, reason: string, hint: string): void {
    if (this.problem === undefined) this.problem = { line, reason, hint };
  }
}
