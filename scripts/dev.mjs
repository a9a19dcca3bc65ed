// `npm run dev [-- --port N] [--inspector-port N] [other wrangler dev flags]`: makes a first start
// work with no other step, on any port.
// 1. .dev.secrets with a generated AUTH_SECRET, first-admin and PayPal stand-in credentials (created once);
// 2. the web app built into web/dist (served as static assets);
// 3. D1 migrations applied to the local database;
// 4. `wrangler dev` on the chosen port (default 8787, or a free one when 8787 is taken) with its own
//    inspector port (default 9229, or a free one) and APP_ORIGIN following the port;
// 5. once it answers, the admin credentials, printed last, with where they are kept.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { portOr, waitHealthy, wranglerDevArgs, wranglerEnv } from "./lib/dev-server.mjs";

/**
 * Local secrets. Not `.dev.vars`: wrangler loads that file into every Worker configured from
 * wrangler.toml, the tests' Worker too, so the tests would run with a developer's secrets.
 */
const SECRETS = ".dev.secrets";

const { values, tokens } = parseArgs({
  options: { port: { type: "string" }, "inspector-port": { type: "string" } },
  strict: false,
  tokens: true,
});
const passThrough = tokens
  .filter((t) => !(t.kind === "option" && (t.name === "port" || t.name === "inspector-port")))
  .flatMap((t) =>
    t.kind === "option" ? [t.rawName, ...(t.value !== undefined ? [t.value] : [])] : [t.value],
  )
  .filter((v) => v !== undefined);

function portArg(value, name) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`--${name} must be a port number (1–65535), got "${value}"`);
    process.exit(1);
  }
  return n;
}
const port = portArg(values.port ?? process.env.PORT, "port") ?? (await portOr(8787));
const inspectorPort =
  portArg(values["inspector-port"] ?? process.env.INSPECTOR_PORT, "inspector-port") ?? (await portOr(9229));

// --- 1. local secrets
if (existsSync(".dev.vars")) {
  if (existsSync(SECRETS)) {
    console.error(
      `Both .dev.vars and ${SECRETS} exist: keep what you need in ${SECRETS} and delete .dev.vars.`,
    );
    process.exit(1);
  }
  renameSync(".dev.vars", SECRETS);
  console.log(`Moved .dev.vars to ${SECRETS} (wrangler would load .dev.vars into the tests too).`);
}
if (!existsSync(SECRETS)) {
  writeFileSync(
    SECRETS,
    [
      `# Local secrets for \`npm run dev\` (gitignored; never read by tests). Delete this file to generate new ones.`,
      `AUTH_SECRET=${randomBytes(32).toString("base64url")}`,
      "ADMIN_EMAIL=admin@edgecraft.local",
      `ADMIN_PASSWORD=${randomBytes(12).toString("base64url")}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
}
// Credentials for the local PayPal stand-in (README: Mail and PayPal in development); added to an older
// file too, so billing works in dev without a step.
if (!/^PAYPAL_CLIENT_ID=/m.test(readFileSync(SECRETS, "utf8"))) {
  writeFileSync(
    SECRETS,
    `${readFileSync(SECRETS, "utf8").replace(/\n?$/, "\n")}# For the local PayPal stand-in (PAYPAL_API_BASE=/__dev/paypal); real ones for a sandbox.\nPAYPAL_CLIENT_ID=dev-standin-client\nPAYPAL_CLIENT_SECRET=${randomBytes(16).toString("base64url")}\n`,
    { mode: 0o600 },
  );
}
const secrets = Object.fromEntries(
  readFileSync(SECRETS, "utf8")
    .split("\n")
    .map((line) => /^\s*([A-Z0-9_]+)\s*=\s*(.*)$/.exec(line))
    .filter(Boolean)
    .map((m) => [m[1], m[2].trim()]),
);
if ((secrets.AUTH_SECRET ?? "").length < 32) {
  console.error(`${SECRETS} has no AUTH_SECRET of 32+ characters; add one or delete the file.`);
  process.exit(1);
}

// --- 2., 3. web app and migrations
const env = wranglerEnv();
execFileSync("npm", ["run", "--silent", "build:web"], { stdio: "inherit", env });
execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], { stdio: "inherit", env });

// --- 4. the server: wrangler's own entry run directly (no npx/shell in between), so a signal sent to
// this script reaches it and it stops workerd on the way out.
const wrangler = path.join(
  path.dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
  "bin/wrangler.js",
);
const child = spawn(
  process.execPath,
  [wrangler, "dev", ...wranglerDevArgs({ port, inspectorPort, envFile: SECRETS }), ...passThrough],
  { stdio: "inherit", env },
);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// --- 5. the credentials, last
const url = `http://localhost:${port}`;
try {
  await waitHealthy(url, child);
} catch {
  // wrangler has said why on its own output; nothing to add.
}
if (child.exitCode === null) {
  const admin =
    secrets.ADMIN_EMAIL && secrets.ADMIN_PASSWORD
      ? [
          `  First admin:  ${secrets.ADMIN_EMAIL}`,
          `  Password:     ${secrets.ADMIN_PASSWORD}`,
          `  (kept in ${SECRETS}; if you changed the password in the app, the app's one counts)`,
        ]
      : [`  No first admin: set ADMIN_EMAIL and ADMIN_PASSWORD in ${SECRETS} to create one.`];
  console.log(
    [
      "",
      `  Edgecraft is running at ${url}  (API docs: ${url}/api/docs, inspector port ${inspectorPort})`,
      ...admin,
      "",
    ].join("\n"),
  );
}
