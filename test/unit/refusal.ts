import { ApiError } from "../../src/errors";

/** The ApiError `fn` throws, as what a client sees of it: status, code, the first field's path, detail. */
export function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return {
      status: error.status,
      code: error.code,
      path: error.extra.errors?.[0]?.path,
      detail: error.detail,
    };
  }
  throw new Error("expected a refusal (an ApiError)");
}
