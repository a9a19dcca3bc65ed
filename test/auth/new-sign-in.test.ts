import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { mailTo, settledMailCount, waitForMail } from "../helpers/mail";

const PASSWORD = "Quite-Good-Pass-77";
const signIn = (email: string, ip: string, userAgent: string) =>
  call("/api/v1/auth/login", {
    method: "POST",
    json: { email, password: PASSWORD },
    ip,
    headers: { "user-agent": userAgent },
  });
const newSignIns = async (email: string) =>
  (await mailTo(email)).filter((m) => m.topic === "account.new_sign_in");

describe("'new sign-in' mail", () => {
  it("not for the first session nor a known device; once for a device not seen in 30 days", async () => {
    const email = `devices-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const reg = await call("/api/v1/auth/register", { method: "POST", json: { email, password: PASSWORD } });
    expect(reg.status).toBe(202);
    await waitForMail(email, /Confirm your email/);

    // The account's very first session, then the same device again: nothing to tell.
    expect((await signIn(email, "198.51.100.7", "Firefox/140 laptop")).status).toBe(200);
    expect((await signIn(email, "198.51.100.7", "Firefox/140 laptop")).status).toBe(200);
    await settledMailCount(email);
    expect(await newSignIns(email)).toEqual([]);

    // Another address and browser: one mail naming them.
    expect((await signIn(email, "203.0.113.9", "Safari/19 phone")).status).toBe(200);
    const mail = await waitForMail(email, /New sign-in/);
    expect(mail.topic).toBe("account.new_sign_in");
    expect(mail.text).toContain("203.0.113.9");
    expect(mail.text).toContain("Safari/19 phone");
    expect(mail.html).toContain("203.0.113.9");

    // That device is known now; the first one still is.
    expect((await signIn(email, "203.0.113.9", "Safari/19 phone")).status).toBe(200);
    expect((await signIn(email, "198.51.100.7", "Firefox/140 laptop")).status).toBe(200);
    await settledMailCount(email);
    expect(await newSignIns(email)).toHaveLength(1);
  });

  it("escapes what the client sent about itself in the HTML part", async () => {
    const email = `ua-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await call("/api/v1/auth/register", { method: "POST", json: { email, password: PASSWORD } });
    expect((await signIn(email, "198.51.100.8", "plain")).status).toBe(200);
    expect((await signIn(email, "198.51.100.9", `<img src=x onerror="alert(1)">`)).status).toBe(200);
    const mail = await waitForMail(email, /New sign-in/);
    expect(mail.html).not.toContain("<img src=x");
    expect(mail.html).toContain("&lt;img src=x");
  });
});
