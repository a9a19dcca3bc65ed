/**
 * One CSV field per RFC 4180, safe to open in a spreadsheet (OWASP "CSV injection"): every text
 * cell is quoted (quotes doubled), and a formula prefix (= + - @, and their full-width forms) gets a
 * leading apostrophe wherever a cell could start — at the start, and after ; , tab or a line
 * break, because spreadsheets in semicolon-separator locales split cells at `;` whatever the quotes.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  const neutral = value.replace(/(^|[;,\t\r\n])(\s*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])/g, "$1$2'");
  return `"${neutral.replace(/"/g, '""')}"`;
}
