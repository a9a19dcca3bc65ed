import { env } from "cloudflare:workers";

/**
 * The real D1, with `interleave` run just before each batch: a concurrent writer arriving exactly
 * between a service's reads (or its R2 write) and its guarded write.
 */
export function racingD1(interleave: () => Promise<unknown>): D1Database {
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "batch")
        return async (statements: D1PreparedStatement[]) => {
          await interleave();
          return target.batch(statements);
        };
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
