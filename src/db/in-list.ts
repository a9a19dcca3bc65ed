import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * `column IN (…)` for a list of any length, bound as one parameter (a JSON array read with
 * json_each): D1 refuses statements with more than 100 bound parameters, which `inArray` reaches at
 * 100 values. The list still counts towards the 100 KB statement limit, so callers cap its length.
 */
export function inList(column: SQLWrapper, values: readonly (string | number)[]): SQL {
  return sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
}
