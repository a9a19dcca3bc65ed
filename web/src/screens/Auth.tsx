import { useState } from "preact/hooks";
import { ApiError, call } from "../api";
import { fieldErrors, Link, TextField } from "../ui";

export function AuthScreen(props: { mode: "signin" | "signup"; onSignedIn: () => Promise<void> }) {
  const signup = props.mode === "signup";
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  /** Set once the server asked for a second factor (401 otp_required). */
  const [otp, setOtp] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState("");

  const submit = async (e: Event) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) local.email = "Enter an email address like ada@example.com.";
    if (!password) local.password = "Enter a password.";
    else if (signup && [...password].length < 8) local.password = "Use at least 8 characters.";
    setErrors(local);
    setFormError("");
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      if (signup) {
        await call("register", {
          body: { email: email.trim(), password, ...(name.trim() ? { name: name.trim() } : {}) },
        });
      }
      await call("login", {
        body: { email: email.trim(), password, ...(otp !== null ? { otp: otp.trim() } : {}) },
      });
      await props.onSignedIn();
    } catch (err) {
      const fields = fieldErrors(err);
      setErrors(fields);
      if (err instanceof ApiError) {
        if (err.code === "otp_required") {
          setOtp("");
          setFormError("");
        } else if (err.code === "otp_invalid") setErrors({ otp: "That code is wrong or was already used." });
        else if (err.code === "account_disabled") setFormError(err.message);
        else if (err.code === "invalid_credentials")
          setFormError(
            signup
              ? "We couldn't sign you in. If this email already has an account, sign in with its password."
              : "The email or password is wrong.",
          );
        else if (err.status === 429) setFormError(err.message);
        else if (!Object.keys(fields).length) setFormError(err.message);
      } else setFormError("Can't reach the server. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="auth-card" aria-labelledby="auth-title">
      <h1 id="auth-title">{signup ? "Create your account" : "Sign in"}</h1>
      <p class="muted">
        {signup ? "Upload, vectorize and organize your images." : "Welcome back to your Edgecraft studio."}
      </p>
      <form onSubmit={submit} noValidate>
        {formError ? (
          <div class="error-box" role="alert" data-testid="form-error">
            {formError}
          </div>
        ) : null}
        {signup ? (
          <TextField
            label="Name (optional)"
            error={errors.name}
            autocomplete="name"
            value={name}
            onValue={setName}
          />
        ) : null}
        <TextField
          label="Email"
          error={errors.email}
          name="email"
          type="email"
          aria-invalid={!!errors.email}
          autocomplete="email"
          value={email}
          onValue={setEmail}
        />
        <TextField
          label="Password"
          error={errors.password}
          hint={signup ? "At least 8 characters; avoid common words and patterns." : undefined}
          name="password"
          type="password"
          aria-invalid={!!errors.password}
          autocomplete={signup ? "new-password" : "current-password"}
          value={password}
          onValue={setPassword}
        />
        {otp !== null ? (
          <TextField
            label="Authentication code"
            hint="The 6-digit code from your authenticator app, or a recovery code."
            error={errors.otp}
            name="otp"
            autocomplete="one-time-code"
            autoFocus
            value={otp}
            onValue={setOtp}
          />
        ) : null}
        <button class="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? "Please wait…" : signup ? "Create account" : "Sign in"}
        </button>
      </form>
      <p class="auth-switch">
        {signup ? (
          <>
            Already have an account? <Link href="/signin">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/signup">Create an account</Link> ·{" "}
            <Link href="/forgot-password">Forgot your password?</Link>
          </>
        )}
      </p>
    </section>
  );
}
