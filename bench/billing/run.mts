// npm run bench:billing — what two-factor sign-in adds to a login, and how long the PayPal webhook
// takes, against `wrangler dev` with the PayPal stand-in served from Node (PAYPAL_API_BASE pointed at it).
// Login: N accounts with 2FA and N without, each signing in once, interleaved; a 2FA account's code
// is from the next 30-second step (its enabling code used the current one). Webhook: a signed
// PAYMENT.CAPTURE.COMPLETED per fresh order, then the same event again (new transmission: already
// applied), then a refund. Password reset: a known and an unknown address, interleaved (equal cost
// is the point). GET /health in the same run is the floor every ratio is taken against.
import { Secret, TOTP } from "otpauth";
import {
  freePort,
  machineInfo,
  markdownTable,
  percentile,
  startDevServer,
  writeResults,
} from "../lib/harness.mjs";
import { startStandInServer } from "./standin-server.mts";

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 30);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 40);
const ADMIN = { email: "admin@bench.test", password: "Bench-Admin-Pass-2026" };
const PAYPAL = { clientId: "bench-client", clientSecret: "bench-secret", webhookId: "BENCHWEBHOOK" };

const stats = (ms: number[]) => ({
  n: ms.length,
  p50: Number(percentile(ms, 50).toFixed(1)),
  p95: Number(percentile(ms, 95).toFixed(1)),
  mean: Number((ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(1)),
});

async function timed(fn: () => Promise<Response>): Promise<[number, Response]> {
  const t0 = performance.now();
  const res = await fn();
  await res.arrayBuffer();
  return [performance.now() - t0, res];
}

const paypalPort = await freePort();
const paypal = await startStandInServer({ port: paypalPort, ...PAYPAL });
const port = await freePort();
const server = await startDevServer({
  port,
  vars: {
    RATE_LIMITS:
      "login-account=100000/100000,login-account-client=100000/100000,login-ip=100000/100000,register-ip=100000/100000,api-user=1000000/1000000,anon-ip=1000000/1000000,otp-account=100000/100000,billing-user=100000/100000,password-reset-ip=100000/100000,password-reset-account=100000/100000",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    APP_ORIGIN: `http://localhost:${port}`,
    PAYPAL_API_BASE: paypal.base,
    PAYPAL_WEBHOOK_ID: PAYPAL.webhookId,
    PAYPAL_CLIENT_ID: PAYPAL.clientId,
    PAYPAL_CLIENT_SECRET: PAYPAL.clientSecret,
  },
});
const api = `${server.url}/api/v1`;
const post = (path: string, body: unknown, token?: string, headers: Record<string, string> = {}) =>
  fetch(`${api}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
async function ok<T>(res: Promise<Response>): Promise<T> {
  const r = await res;
  if (!r.ok) throw new Error(`${r.url} → ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}
const login = (email: string, password: string, otp?: string) =>
  post("/auth/login", { email, password, ...(otp ? { otp } : {}) });

try {
  const admin = await ok<{ accessToken: string }>(login(ADMIN.email, ADMIN.password));
  const accounts: { email: string; password: string; secret?: string }[] = [];
  for (let i = 0; i < ACCOUNTS * 2; i++) {
    const account = { email: `bench${i}@bench.test`, password: `Bench-Pass-${i}-2026` };
    await ok(post("/auth/register", account));
    if (i % 2 === 1) {
      const session = await ok<{ accessToken: string }>(login(account.email, account.password));
      const { secret } = await ok<{ secret: string }>(post("/me/2fa/setup", {}, session.accessToken));
      const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
      await ok(post("/me/2fa/enable", { code: totp.generate() }, session.accessToken));
      accounts.push({ ...account, secret });
    } else {
      await ok(login(account.email, account.password)); // same number of earlier sessions as the 2FA accounts
      accounts.push(account);
    }
  }

  // Warm the isolate, then interleave: without 2FA, with 2FA, floor.
  for (let i = 0; i < 5; i++) await (await fetch(`${api}/health`)).arrayBuffer();
  const plain: number[] = [];
  const twoFactor: number[] = [];
  const floor: number[] = [];
  for (const account of accounts) {
    if (account.secret) {
      const code = new TOTP({
        secret: Secret.fromBase32(account.secret),
        algorithm: "SHA1",
        digits: 6,
        period: 30,
      }).generate({
        timestamp: Date.now() + 30_000,
      });
      const [ms, res] = await timed(() => login(account.email, account.password, code));
      if (res.status !== 200) throw new Error(`2FA login → ${res.status}`);
      twoFactor.push(ms);
    } else {
      const [ms, res] = await timed(() => login(account.email, account.password));
      if (res.status !== 200) throw new Error(`login → ${res.status}`);
      plain.push(ms);
    }
    floor.push((await timed(() => fetch(`${api}/health`)))[0]);
  }

  // Password reset for an address with an account and one without, interleaved: the answer and
  // its cost must not tell them apart.
  const resetKnown: number[] = [];
  const resetUnknown: number[] = [];
  for (const [i, account] of accounts.entries()) {
    for (const [list, email] of [
      [resetKnown, account.email],
      [resetUnknown, `nobody${i}@bench.test`],
    ] as const) {
      const [ms, res] = await timed(() => post("/auth/password-reset", { email }));
      if (res.status !== 202) throw new Error(`password reset → ${res.status}`);
      list.push(ms);
    }
  }

  // A verified buyer (through the dev mailbox, as a person would).
  const buyer = { email: "buyer@bench.test", password: "Buyer-Pass-2026-bench" };
  await ok(post("/auth/register", buyer));
  const mail = await ok<{ items: { text: string }[] }>(
    fetch(`${api}/admin/dev-mail?to=${encodeURIComponent(buyer.email)}`, {
      headers: { authorization: `Bearer ${admin.accessToken}` },
    }),
  );
  const token = decodeURIComponent(/verify-email\?token=(\S+)/.exec(mail.items[0]?.text ?? "")?.[1] ?? "");
  await ok(post("/auth/verify-email", { token }));
  const session = await ok<{ accessToken: string }>(login(buyer.email, buyer.password));
  const me0 = await ok<{ user: { credits: number } }>(
    fetch(`${api}/me`, { headers: { authorization: `Bearer ${session.accessToken}` } }),
  );

  const completed: number[] = [];
  const duplicate: number[] = [];
  const refunded: number[] = [];
  const deliver = async (event: unknown) => {
    const body = JSON.stringify(event);
    const headers = await paypal.standIn.sign(body);
    return timed(() => fetch(`${api}/billing/paypal/webhook`, { method: "POST", headers, body }));
  };
  for (let i = 0; i < WEBHOOKS; i++) {
    const order = await ok<{ orderId: string }>(
      post("/billing/orders", { pack: "starter" }, session.accessToken),
    );
    paypal.standIn.approve(order.orderId);
    const capture = paypal.standIn.captureNow(order.orderId)!;
    const event = paypal.standIn.event("PAYMENT.CAPTURE.COMPLETED", "capture", capture);
    for (const [list, evt] of [
      [completed, event],
      [duplicate, event],
      [
        refunded,
        paypal.standIn.event(
          "PAYMENT.CAPTURE.REFUNDED",
          "refund",
          paypal.standIn.refundResource(capture.id, { currency_code: "USD", value: "5.00" }, `RF${i}BENCH`),
        ),
      ],
    ] as const) {
      const [ms, res] = await deliver(evt);
      if (res.status !== 200) throw new Error(`webhook → ${res.status}`);
      list.push(ms);
    }
    floor.push((await timed(() => fetch(`${api}/health`)))[0]);
  }
  const me = await ok<{ user: { credits: number } }>(
    fetch(`${api}/me`, { headers: { authorization: `Bearer ${session.accessToken}` } }),
  );
  if (me.user.credits !== me0.user.credits) {
    throw new Error(
      `credits after ${WEBHOOKS} purchases + refunds: ${me.user.credits}, expected ${me0.user.credits}`,
    );
  }

  const rows = {
    "login, no 2FA": stats(plain),
    "login, 2FA (TOTP code)": stats(twoFactor),
    "password reset, known email": stats(resetKnown),
    "password reset, unknown email": stats(resetUnknown),
    "webhook CAPTURE.COMPLETED (grants)": stats(completed),
    "webhook, same event again (no-op)": stats(duplicate),
    "webhook CAPTURE.REFUNDED (debits)": stats(refunded),
    "floor: GET /health": stats(floor),
  };
  const floorP50 = rows["floor: GET /health"].p50;
  const ratios = {
    twoFactorOverPlainP50: Number(
      (rows["login, 2FA (TOTP code)"].p50 / rows["login, no 2FA"].p50).toFixed(2),
    ),
    twoFactorOverPlainMean: Number(
      (rows["login, 2FA (TOTP code)"].mean / rows["login, no 2FA"].mean).toFixed(2),
    ),
    resetKnownOverUnknownP50: Number(
      (rows["password reset, known email"].p50 / rows["password reset, unknown email"].p50).toFixed(2),
    ),
    webhookCompletedOverFloorP50: Number(
      (rows["webhook CAPTURE.COMPLETED (grants)"].p50 / floorP50).toFixed(1),
    ),
    webhookDuplicateOverFloorP50: Number(
      (rows["webhook, same event again (no-op)"].p50 / floorP50).toFixed(1),
    ),
  };
  const machine = machineInfo();
  writeResults(
    "billing",
    { machine, accounts: ACCOUNTS, webhooks: WEBHOOKS, latencyMs: rows, ratios },
    `# Billing and account security bench (\`npm run bench:billing\`)

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}, ${machine.date}.
\`wrangler dev\` (local D1/KV/DO), sequential requests from one client; PayPal is the stand-in served from Node over HTTP
(the webhook's verify-webhook-signature call goes to it). ${ACCOUNTS} accounts with 2FA and ${ACCOUNTS} without, each signing in
once, interleaved; a password reset for each of those addresses and for as many unknown ones, interleaved; ${WEBHOOKS} orders, each reported by a signed PAYMENT.CAPTURE.COMPLETED, the same event again (a new
transmission, already applied) and a PAYMENT.CAPTURE.REFUNDED. Latency in ms, client-side.

${markdownTable(Object.entries(rows).map(([what, s]) => ({ what, ...s })))}

Ratios (same run): 2FA login / plain login p50 **${ratios.twoFactorOverPlainP50}×** (mean ${ratios.twoFactorOverPlainMean}×);
password reset known / unknown email p50 **${ratios.resetKnownOverUnknownP50}×** (the same statements run either way);
webhook that grants / health floor p50 **${ratios.webhookCompletedOverFloorP50}×**; repeated webhook / floor ${ratios.webhookDuplicateOverFloorP50}×.
After all purchases and refunds the buyer's balance is back where it started (checked by the bench).
`,
  );
  console.log(JSON.stringify({ rows, ratios }, null, 2));
} finally {
  server.stop();
  paypal.stop();
}
