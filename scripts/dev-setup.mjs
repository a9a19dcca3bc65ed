// Runs before `npm run dev`: makes a first start work with no other step.
// 1. .dev.vars with a generated AUTH_SECRET and first-admin credentials (printed once, when created);
// 2. the web app built into web/dist (served as static assets);
// 3. D1 migrations applied to the local database.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const varsFile = ".dev.vars";
if (!existsSync(varsFile)) {
  const password = randomBytes(12).toString("base64url");
  const email = "admin@edgecraft.local";
  writeFileSync(
    varsFile,
    [
      "# Local secrets for `wrangler dev` (gitignored). Delete this file to generate new ones.",
      `AUTH_SECRET=${randomBytes(32).toString("base64url")}`,
      `ADMIN_EMAIL=${email}`,
      `ADMIN_PASSWORD=${password}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  console.log(
    `\n  First admin account (shown once; also in .dev.vars):\n    email:    ${email}\n    password: ${password}\n`,
  );
} else if (!/^AUTH_SECRET=.{32,}$/m.test(readFileSync(varsFile, "utf8"))) {
  console.error(".dev.vars exists but has no AUTH_SECRET of 32+ characters; add one or delete the file.");
  process.exit(1);
}

const run = (cmd, args) =>
  execFileSync(cmd, args, {
    stdio: "inherit",
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
run("npm", ["run", "--silent", "build:web"]);
run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"]);
