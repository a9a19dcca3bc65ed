import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { call, expectProblem, newUser, ORIGIN } from "../helpers/api";
import { waitForMail } from "../helpers/mail";

interface DevMail {
  items: { to: string; subject: string; text: string; html: string; topic: string }[];
  nextCursor: string | null;
}

describe("dev mailbox", () => {
  it("an admin reads mail the log provider stored, newest first, filtered by recipient, paged", async () => {
    const admin = await newUser({ role: "admin" });
    const user = await newUser();
    await waitForMail(user.email, /Confirm/);
    await call("/api/v1/auth/password-reset", { method: "POST", json: { email: user.email } });
    await waitForMail(user.email, /Reset/);

    const res = await call(`/api/v1/admin/dev-mail?to=${encodeURIComponent(user.email)}&limit=1`, {
      token: admin.accessToken,
    });
    expect(res.status).toBe(200);
    const page = (await res.json()) as DevMail;
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ to: user.email, topic: "account.password_reset" });
    expect(page.nextCursor).not.toBeNull();
    const next = (await (
      await call(
        `/api/v1/admin/dev-mail?to=${encodeURIComponent(user.email)}&limit=1&cursor=${page.nextCursor}`,
        {
          token: admin.accessToken,
        },
      )
    ).json()) as DevMail;
    expect(next.items[0]?.topic).toBe("account.verify_email");
  });

  it("is admin-only", async () => {
    const user = await newUser();
    await expectProblem(await call("/api/v1/admin/dev-mail", { token: user.accessToken }), 403);
    await expectProblem(await call("/api/v1/admin/dev-mail"), 401);
  });

  it("does not exist unless EMAIL_PROVIDER=log", async () => {
    const admin = await newUser({ role: "admin" });
    const otherEnv = new Proxy(env, {
      get: (target, key) =>
        key === "EMAIL_PROVIDER"
          ? "http"
          : key === "EMAIL_HTTP_BASE"
            ? "https://mail.test"
            : Reflect.get(target, key),
    }) as Env;
    const res = await createApp().fetch(
      new Request(`${ORIGIN}/api/v1/admin/dev-mail`, {
        headers: { authorization: `Bearer ${admin.accessToken}` },
      }),
      otherEnv,
      createExecutionContext(),
    );
    await expectProblem(res, 404, "dev_mail_disabled");
  });
});
