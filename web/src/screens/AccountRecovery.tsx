import { useEffect, useState } from "preact/hooks";
import { ApiError, call } from "../api";
import { fieldErrors, Link, TextField } from "../ui";

/** The public pages an emailed link opens: verify an address, ask for and use a reset link. */

export function VerifyEmailScreen(props: { token: string | null; onVerified: () => Promise<void> }) {
  const [state, setState] = useState<"working" | "done" | "failed">("working");
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (!props.token) {
      setState("failed");
      setMessage("This link has no token. Open the link from the email again.");
      return;
    }
    call("verifyEmail", { body: { token: props.token } }).then(
      async () => {
        await props.onVerified();
        setState("done");
      },
      (err) => {
        setState("failed");
        setMessage(err instanceof Error ? err.message : String(err));
      },
    );
  }, [props.token]);
  return (
    <section class="auth-card" aria-labelledby="verify-h" aria-busy={state === "working"}>
      <h1 id="verify-h">Email verification</h1>
      {state === "working" ? <p>Checking your link…</p> : null}
      {state === "done" ? (
        <p role="status" data-testid="verify-done">
          Your email address is verified. <Link href="/library">Continue</Link>
        </p>
      ) : null}
      {state === "failed" ? (
        <div class="error-box" role="alert">
          {message}
        </div>
      ) : null}
    </section>
  );
}

export function ForgotPasswordScreen() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!/^\S+@\S+\.\S+$/.test(email.trim()))
      return setErrors({ email: "Enter an email address like ada@example.com." });
    setErrors({});
    setBusy(true);
    try {
      await call("passwordReset", { body: { email: email.trim() } });
      setSent(true);
    } catch (err) {
      setErrors({ email: err instanceof Error ? err.message : String(err), ...fieldErrors(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="auth-card" aria-labelledby="forgot-h">
      <h1 id="forgot-h">Forgot your password?</h1>
      {sent ? (
        <p role="status" data-testid="reset-sent">
          If an account uses {email.trim()}, we have sent it a link to choose a new password. It works for 30
          minutes.
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <p class="muted">Enter your email and we'll send you a link to choose a new password.</p>
          <TextField
            label="Email"
            type="email"
            autocomplete="email"
            error={errors.email}
            value={email}
            onValue={setEmail}
          />
          <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
            Send reset link
          </button>
        </form>
      )}
      <p class="auth-switch">
        <Link href="/signin">Back to sign in</Link>
      </p>
    </section>
  );
}

export function ResetPasswordScreen(props: { token: string | null }) {
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    if ([...password].length < 8) return setErrors({ password: "Use at least 8 characters." });
    setErrors({});
    setFormError("");
    try {
      await call("passwordResetConfirm", { body: { token: props.token ?? "", password } });
      setDone(true);
    } catch (err) {
      const fields = fieldErrors(err);
      setErrors(fields);
      if (!Object.keys(fields).length) setFormError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <section class="auth-card" aria-labelledby="reset-h">
      <h1 id="reset-h">Choose a new password</h1>
      {done ? (
        <p role="status">
          Your password was changed and every session was signed out. <Link href="/signin">Sign in</Link>
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          {formError ? (
            <div class="error-box" role="alert">
              {formError} <Link href="/forgot-password">Ask for a new link</Link>
            </div>
          ) : null}
          <TextField
            label="New password"
            type="password"
            autocomplete="new-password"
            hint="At least 8 characters; avoid common words and patterns."
            error={errors.password}
            value={password}
            onValue={setPassword}
          />
          <button class="btn btn-primary btn-block" type="submit">
            Set password
          </button>
        </form>
      )}
    </section>
  );
}
