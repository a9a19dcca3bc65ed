import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { dispatchMail } from "../email/outbox";

/** Hands a request's mail events to the email queue after the answer is sent (the outbox keeps them if this fails). */
export function sendMailLater(c: Context<AppEnv>, eventIds: string[]): void {
  c.executionCtx.waitUntil(dispatchMail(c.env, eventIds, c.var.clock()));
}
