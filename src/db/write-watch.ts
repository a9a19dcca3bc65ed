/**
 * Which D1 writes this isolate has made, as marks on one counter, so that what an isolate remembers
 * of a read (src/auth/account-cache.ts) can be dropped by any later write it made — whichever feature
 * made it: nothing has to name the caches it affects. A reader takes a mark before it reads; what it
 * read is current while no write has ended since (`writtenSince`). A write counts when it has ended
 * (committed or failed), so a read that overlaps it in any way is never taken as current.
 *
 * Writes made through other isolates (or straight through the binding) are not seen here; a cache
 * that relies on these marks states its own bound for them.
 */
let counter = 0;
let lastWrite = 0;

/** A mark taken before a read. */
export function readMark(): number {
  return ++counter;
}

/** Whether a write of this isolate has ended since `mark` was taken. */
export function writtenSince(mark: number): boolean {
  return lastWrite > mark;
}

function writeEnded() {
  lastWrite = ++counter;
}

/** Statements that begin with SELECT cannot write in SQLite; anything else is counted as a write. */
const READ_ONLY = /^\s*select\b/i;

/** The statement a watched one wraps, which a batch must be given. */
const unwrap = (statement: D1PreparedStatement) =>
  statement instanceof WatchedStatement ? statement.inner : statement;

/** `d1` with every write it carries counted (see above); a batch always counts as one. */
export function watchWrites(d1: D1Database): D1Database {
  return {
    prepare: (query) => watchStatement(d1.prepare(query), query),
    batch: (statements) => afterWrite(d1.batch(statements.map(unwrap))),
    exec: (query) => afterWrite(d1.exec(query)),
    withSession: (constraint) => {
      const session = d1.withSession(constraint);
      return {
        prepare: (query) => watchStatement(session.prepare(query), query),
        batch: (statements) => afterWrite(session.batch(statements.map(unwrap))),
        getBookmark: () => session.getBookmark(),
      };
    },
    dump: () => d1.dump(),
  };
}

function watchStatement(statement: D1PreparedStatement, query: string): D1PreparedStatement {
  return READ_ONLY.test(query) ? statement : new WatchedStatement(statement, query);
}

/** A statement that may write: each way of running it counts the write once it has ended. */
class WatchedStatement implements D1PreparedStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly query: string,
  ) {}

  bind(...values: unknown[]): D1PreparedStatement {
    return watchStatement(this.inner.bind(...values), this.query);
  }

  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  first<T>(colName?: string): Promise<T | null> {
    return afterWrite(colName === undefined ? this.inner.first<T>() : this.inner.first<T>(colName));
  }

  run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return afterWrite(this.inner.run<T>());
  }

  all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return afterWrite(this.inner.all<T>());
  }

  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[] | [string[], ...T[]]> {
    if (options?.columnNames) return afterWrite(this.inner.raw<T>({ columnNames: true }));
    return afterWrite(this.inner.raw<T>());
  }
}

async function afterWrite<T>(result: Promise<T>): Promise<T> {
  try {
    return await result;
  } finally {
    writeEnded();
  }
}
