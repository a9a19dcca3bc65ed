import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import type { AuditContext } from "../audit/record";
import { clientIp } from "../middleware/rate-limit";

/** The request's part of an audit row: the caller, the request id, IP (CF-Connecting-IP) and user agent. */
export function auditContext(c: Context<AppEnv>, actorId?: string | null): AuditContext {
  return {
    actorId: actorId !== undefined ? actorId : (c.get("principal")?.userId ?? null),
    requestId: c.get("requestId") ?? null,
    ip: clientIp(c),
    userAgent: c.req.header("user-agent") ?? null,
  };
}
