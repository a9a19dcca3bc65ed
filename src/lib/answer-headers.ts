/**
 * Headers meant for this request's answer, whatever produces it: a handler's `c.json`, the error
 * mapper, or a raw `Response` (a media stream). Middleware records them here, and `requestContext`
 * puts them on the answer once, after everything else ran.
 *
 * Why not `c.header()`: once an answer exists, hono copies the whole Response for every header set
 * on the context, and reading `c.res` before the handler makes hono copy the handler's answer
 * again to merge the placeholder's headers — together about a tenth of a signed-in GET's CPU in
 * `wrangler dev` (bench:profile, ADR 0013).
 */
export class AnswerHeaders {
  private readonly entries: { name: string; value: string; append: boolean }[] = [];

  /** Replaces any value the answer has (or an earlier `set` gave) for `name`. */
  set(name: string, value: string): void {
    const lower = name.toLowerCase();
    const at = this.entries.findIndex((e) => e.name === lower && !e.append);
    if (at >= 0) this.entries[at]!.value = value;
    else this.entries.push({ name: lower, value, append: false });
  }

  /** Adds a value to a list header (`Vary`). */
  append(name: string, value: string): void {
    this.entries.push({ name: name.toLowerCase(), value, append: true });
  }

  /** What `set` recorded for `name`, if anything. */
  get(name: string): string | null {
    const lower = name.toLowerCase();
    return this.entries.find((e) => e.name === lower && !e.append)?.value ?? null;
  }

  /**
   * Writes the headers into `answer`'s own headers when they can change, else into a copy of it
   * (a Response from `fetch` has immutable headers); returns the answer to send.
   */
  applyTo(answer: Response): Response {
    if (this.entries.length === 0) return answer;
    const writable = writableAnswer(answer);
    this.writeInto(writable.headers);
    return writable;
  }

  private writeInto(headers: Headers): void {
    for (const { name, value, append } of this.entries) {
      if (append) headers.append(name, value);
      else headers.set(name, value);
    }
  }
}

/**
 * `answer` when its headers can be changed, else a copy that can (a Response from `fetch` — a
 * Durable Object's WebSocket upgrade among them — has immutable headers). Deleting a header no
 * answer carries changes nothing, and throws exactly when the headers are immutable.
 */
export function writableAnswer(answer: Response): Response {
  try {
    answer.headers.delete("x-edgecraft-writable-probe");
    return answer;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return new Response(answer.body, answer);
  }
}
