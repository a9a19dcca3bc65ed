import fc from "fast-check";

// @cfworker/json-schema reads `self.location` when it loads, to make a base URI; the test pool's
// `location` has an empty href and no origin, which makes that URL invalid. Without a location it
// uses its own default, so it is loaded with `location` hidden for that moment.
const pageLocation = Object.getOwnPropertyDescriptor(globalThis, "location");
Object.defineProperty(globalThis, "location", { value: undefined, configurable: true });
const { Validator } = await import("@cfworker/json-schema").finally(() => {
  if (pageLocation) Object.defineProperty(globalThis, "location", pageLocation);
});
type Validator = InstanceType<typeof Validator>;

/**
 * JSON Schema (the OpenAPI 3.1 dialect the app serves) → fast-check arbitraries that produce values
 * valid for the schema, and validators that check values against it. Only what the served document
 * uses is covered; anything else falls back to "any JSON" filtered by the validator.
 */
export type Schema = Record<string, unknown>;
export type Components = Record<string, unknown>;

export interface GenContext {
  components: Components;
  /** Values worth trying for a property or parameter of this name (real ids), beside random ones. */
  hints: Record<string, readonly string[]>;
}

const validators = new Map<string, Validator>();

/** A validator for `schema`, resolving `#/components/...` against the document's components. */
export function validatorFor(schema: Schema, components: Components): Validator {
  const key = JSON.stringify(schema);
  let validator = validators.get(key);
  if (!validator) {
    validator = new Validator({ ...schema, components } as never, "2020-12", false);
    validators.set(key, validator);
  }
  return validator;
}

export function resolve(schema: Schema, components: Components): Schema {
  let current = schema;
  for (let i = 0; typeof current.$ref === "string" && i < 20; i++) {
    const path = (current.$ref as string).replace(/^#\/components\//, "").split("/");
    current = path.reduce<Record<string, unknown>>(
      (node, part) => node[part] as Record<string, unknown>,
      components,
    ) as Schema;
  }
  return current;
}

/** Text that exercises what names and ids meet in the wild: ASCII, accents, CJK, emoji, RTL, controls. */
export function anyText(maxLength: number, minLength = 0): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ minLength, maxLength, unit: "grapheme-ascii" }),
    fc.string({ minLength, maxLength, unit: "grapheme" }),
    fc.string({ minLength, maxLength, unit: "binary" }),
  );
}

const emailArb = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{1,12}$/),
    fc.stringMatching(/^[a-z0-9]{1,10}$/),
    fc.constantFrom("com", "org", "example", "dev"),
  )
  .map(([local, host, tld]) => `${local}@${host}.${tld}`);

function stringArb(schema: Schema): fc.Arbitrary<string> {
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = Math.min((schema.maxLength as number | undefined) ?? min + 40, min + 60);
  switch (schema.format) {
    case "email":
      return emailArb;
    case "date-time":
      return fc
        .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
        .map((d) => d.toISOString());
    case "binary":
      return fc.constant("binary");
  }
  if (typeof schema.pattern === "string") {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= max);
    } catch {
      // A pattern fast-check can't generate from: random text, filtered by the validator later.
    }
  }
  return anyText(max, min);
}

function numberArb(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const lo = (schema.minimum as number | undefined) ?? (schema.exclusiveMinimum as number | undefined);
  const hi = (schema.maximum as number | undefined) ?? (schema.exclusiveMaximum as number | undefined);
  const min = lo ?? (hi !== undefined ? hi - 1e6 : -1e6);
  const max = hi ?? min + 1e6;
  const arb = integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return arb.filter(
    (n) =>
      (schema.exclusiveMinimum === undefined || n > (schema.exclusiveMinimum as number)) &&
      (schema.exclusiveMaximum === undefined || n < (schema.exclusiveMaximum as number)),
  );
}

/** Values that are valid for `schema`: generated from it, then checked against it. */
export function validArbitrary(raw: Schema, ctx: GenContext, name?: string): fc.Arbitrary<unknown> {
  const validator = validatorFor(raw, ctx.components);
  return arbitraryFor(raw, ctx, name).filter((value) => validator.validate(value).valid);
}

/** Values shaped by `schema` (hints mixed in for named ids); `name` is the property or parameter name. */
export function arbitraryFor(raw: Schema, ctx: GenContext, name?: string): fc.Arbitrary<unknown> {
  const schema = resolve(raw, ctx.components);
  const hinted = name !== undefined ? ctx.hints[name] : undefined;
  const own = plainArbitrary(schema, ctx, name);
  if (hinted?.length) {
    const fromHints =
      schema.type === "array" ? fc.subarray([...hinted], { minLength: 1 }) : fc.constantFrom(...hinted);
    return fc.oneof({ arbitrary: fromHints, weight: 2 }, { arbitrary: own, weight: 1 });
  }
  return own;
}

function plainArbitrary(schema: Schema, ctx: GenContext, name?: string): fc.Arbitrary<unknown> {
  if ("const" in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  // An object with its own properties and extra anyOf conditions: made from the properties, the
  // conditions are left to the validator's filter.
  if (schema.properties) return objectArb(schema, ctx);
  for (const key of ["anyOf", "oneOf"] as const) {
    if (Array.isArray(schema[key]))
      return fc.oneof(...(schema[key] as Schema[]).map((s) => arbitraryFor(s, ctx, name)));
  }
  if (Array.isArray(schema.allOf)) return arbitraryFor((schema.allOf as Schema[])[0]!, ctx, name);
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  const arbs = types.map((type): fc.Arbitrary<unknown> => {
    switch (type) {
      case "string":
        return stringArb(schema);
      case "integer":
        return numberArb(schema, true);
      case "number":
        return numberArb(schema, false);
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "array": {
        const items = arbitraryFor((schema.items as Schema | undefined) ?? {}, ctx, name);
        const minLength = (schema.minItems as number | undefined) ?? 0;
        const maxLength = Math.min((schema.maxItems as number | undefined) ?? minLength + 5, minLength + 5);
        return schema.uniqueItems
          ? fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) })
          : fc.array(items, { minLength, maxLength });
      }
      case "object":
        return objectArb(schema, ctx);
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  });
  return arbs.length === 1 ? arbs[0]! : fc.oneof(...arbs);
}

function objectArb(schema: Schema, ctx: GenContext): fc.Arbitrary<unknown> {
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) model[key] = arbitraryFor(sub, ctx, key);
  return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
}

/** Anything at all, for the hostile half of the suite: wrong types, odd text, huge numbers, deep nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(anyText(20), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
  fc.constantFrom(
    null,
    [],
    {},
    "",
    0,
    -1,
    1e308,
    -1e308,
    true,
    "\u0000",
    "../../etc/passwd",
    "%00",
    "\u202e",
  ),
);

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  anyText(80),
  fc.constantFrom(
    "",
    " ",
    "..",
    "/",
    "\\",
    "%",
    "%2e%2e",
    "null",
    "-1",
    "1e999",
    "NaN",
    "\u0000",
    "\u202e",
    "a".repeat(3000),
  ),
  fc.integer().map(String),
);
