import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ORIGIN = "http://localhost:8787";

let ipCounter = 1;
/** A fresh client IP per helper call keeps per-IP rate limits of one test from starving another. */
export function nextIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

export interface CallOptions extends Omit<RequestInit, "body"> {
  json?: unknown;
  body?: BodyInit | null;
  token?: string;
  cookie?: string;
  ip?: string;
}

/** Calls the Worker's real fetch handler, as a browser or API client would. */
export function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.json !== undefined) headers.set("content-type", "application/json");
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  if (options.cookie) {
    headers.set("cookie", options.cookie);
    if (!headers.has("origin") && !headers.has("sec-fetch-site")) headers.set("origin", ORIGIN);
  }
  headers.set("cf-connecting-ip", options.ip ?? nextIp());
  const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { ...options, headers, body }));
}

/** Asserts a problem+json answer and returns its body. */
export async function expectProblem(res: Response, status: number, code?: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const body = JSON.parse(text) as {
    type: string;
    title: string;
    status: number;
    detail: string;
    code: string;
    requestId?: string;
    errors?: { path: string }[];
  };
  expect(body).toMatchObject({ status });
  expect(typeof body.type).toBe("string");
  expect(typeof body.title).toBe("string");
  expect(typeof body.detail).toBe("string");
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  if (code) expect(body.code).toBe(code);
  return body;
}

let userCounter = 0;
export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  cookie: string;
}

/**
 * Registers and signs in a new user. `role: "admin"` promotes them directly in D1; the address is
 * marked verified the same way unless `verified: false` (test/auth/verification.test.ts goes
 * through the real link).
 */
export async function newUser(options: { role?: "admin"; verified?: boolean } = {}): Promise<TestUser> {
  userCounter += 1;
  const email = `user${userCounter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const password = `Tr0ubadour-${crypto.randomUUID()}`;
  const reg = await call("/api/v1/auth/register", { method: "POST", json: { email, password } });
  expect(reg.status).toBe(202);
  if (options.role === "admin") {
    await env.DB.prepare("UPDATE users SET role = 'admin' WHERE email = ?").bind(email).run();
  }
  if (options.verified !== false) {
    await env.DB.prepare("UPDATE users SET email_verified_at = created_at WHERE email = ?").bind(email).run();
  }
  return login(email, password);
}

export async function login(email: string, password: string): Promise<TestUser> {
  const res = await call("/api/v1/auth/login", { method: "POST", json: { email, password } });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = (await res.json()) as { user: { id: string }; accessToken: string; refreshToken: string };
  return {
    id: body.user.id,
    email,
    password,
    accessToken: body.accessToken,
    refreshToken: body.refreshToken,
    cookie: sessionCookieFrom(res),
  };
}

export function sessionCookieFrom(res: Response): string {
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-edgecraft_session="));
  expect(setCookie).toBeDefined();
  return setCookie!.split(";")[0]!;
}
