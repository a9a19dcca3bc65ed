import { useState } from "preact/hooks";
import { encode } from "uqr";
import { call } from "../api";
import { copy, showFormError, TextField, toast, useSession } from "../ui";

/** The otpauth:// URL as a QR code, drawn as one SVG path of unit squares (no markup strings). */
function QrCode(props: { value: string }) {
  const { data, size } = encode(props.value, { border: 2 });
  let d = "";
  for (let y = 0; y < data.length; y++) {
    const row = data[y]!;
    for (let x = 0; x < row.length; x++) if (row[x]) d += `M${x} ${y}h1v1h-1z`;
  }
  return (
    <svg
      class="qr"
      viewBox={`0 0 ${size} ${size}`}
      width={200}
      height={200}
      role="img"
      aria-label="QR code for your authenticator app"
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}

export function TwoFactorPanel() {
  const { me, refresh } = useSession();
  const [setup, setSetup] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  if (!me) return null;

  const start = async () => {
    try {
      setSetup(await call<{ secret: string; otpauthUrl: string }>("twoFactorSetup"));
      setCode("");
      setErrors({});
    } catch (err) {
      showFormError(err, setErrors);
    }
  };
  const enable = async (e: Event) => {
    e.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) return setErrors({ code: "Enter the 6-digit code your app shows." });
    try {
      const res = await call<{ recoveryCodes: string[] }>("twoFactorEnable", { body: { code: code.trim() } });
      setCodes(res.recoveryCodes);
      setSetup(null);
      setCode("");
      await refresh();
    } catch (err) {
      showFormError(err, setErrors);
    }
  };
  const disable = async (e: Event) => {
    e.preventDefault();
    try {
      await call("twoFactorDisable", { body: { password, code: code.trim() } });
      toast("Two-factor sign-in is off.", "ok");
      setPassword("");
      setCode("");
      setErrors({});
      await refresh();
    } catch (err) {
      const f: Record<string, string> = {};
      showFormError(err, (x) => Object.assign(f, x));
      if (err instanceof Error && "code" in err && err.code === "invalid_credentials")
        f.password = "The password is wrong.";
      setErrors(f);
    }
  };

  return (
    <section class="panel" aria-labelledby="tfa-h">
      <h2 id="tfa-h">Two-factor sign-in</h2>
      {codes ? (
        <div class="secret" role="status" data-testid="recovery-codes">
          <strong>Save these recovery codes now — they won't be shown again.</strong>
          <p class="muted">Each one signs you in once if you lose your authenticator.</p>
          <ol class="codes">
            {codes.map((c) => (
              <li key={c} class="mono">
                {c}
              </li>
            ))}
          </ol>
          <button type="button" class="btn" onClick={() => copy(codes.join("\n"))}>
            Copy codes
          </button>
          <button type="button" class="btn btn-ghost" onClick={() => setCodes(null)}>
            Done
          </button>
        </div>
      ) : null}
      {me.twoFactorEnabled ? (
        <form onSubmit={disable} noValidate class="form-narrow">
          <p>
            <span class="badge badge-succeeded">On</span> Signing in needs a code from your authenticator app.
          </p>
          <TextField
            label="Password"
            type="password"
            autocomplete="current-password"
            error={errors.password}
            value={password}
            onValue={setPassword}
          />
          <TextField
            label="Code or recovery code"
            autocomplete="one-time-code"
            error={errors.code}
            value={code}
            onValue={setCode}
          />
          <button type="submit" class="btn btn-danger">
            Turn off two-factor sign-in
          </button>
        </form>
      ) : setup ? (
        <form onSubmit={enable} noValidate class="form-narrow" data-testid="tfa-setup">
          <p>Scan this code with an authenticator app (or type the key), then enter the code it shows.</p>
          <QrCode value={setup.otpauthUrl} />
          <p>
            Key: <code data-testid="tfa-secret">{setup.secret}</code>
          </p>
          <TextField
            label="6-digit code"
            inputMode="numeric"
            autocomplete="one-time-code"
            error={errors.code}
            value={code}
            onValue={setCode}
          />
          <button type="submit" class="btn btn-primary">
            Turn on
          </button>
        </form>
      ) : (
        <div>
          <p class="muted">Protect your account with a code from an authenticator app at every sign-in.</p>
          {errors.code ? <p class="field-error">{errors.code}</p> : null}
          <button type="button" class="btn btn-primary" onClick={start}>
            Set up two-factor sign-in
          </button>
        </div>
      )}
    </section>
  );
}
