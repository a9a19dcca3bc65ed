import { useState } from "preact/hooks";
import { ApiError, call } from "../api";
import { fieldErrors, Link, TextField } from "../ui";

type Mode = "signin" | "signup";

/** Everything the two modes word differently, in one place. */
const COPY = {
  signin: {
    title: "Sign in",
    lead: "Welcome back to your Edgecraft studio.",
    submit: "Sign in",
    passwordHint: undefined,
    passwordAutocomplete: "current-password",
    wrongCredentials: "The email or password is wrong.",
  },
  signup: {
    title: "Create your account",
    lead: "Upload, vectorize and organize your images.",
    submit: "Create account",
    passwordHint: "At least 8 characters; avoid common words and patterns.",
    passwordAutocomplete: "new-password",
    wrongCredentials:
      "We couldn't sign you in. If this email already has an account, sign in with its password.",
  },
} as const satisfies Record<Mode, Record<string, string | undefined>>;

/** The checks the browser can make before asking the server: field name → message. */
function checkCredentials(email: string, password: string, mode: Mode): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!/^\S+@\S+\.\S+$/.test(email.trim())) errors.email = "Enter an email address like ada@example.com.";
  if (!password) errors.password = "Enter a password.";
  else if (mode === "signup" && [...password].length < 8) errors.password = "Use at least 8 characters.";
  return errors;
}

/** What the form shows after a failed sign-in: field messages, a message above the form, or a code field. */
interface Outcome {
  errors: Record<string, string>;
  formError: string;
  otpRequired?: true;
}

/** ApiError codes with their own answer (a Map: a server's code is never read as an object key). */
const OUTCOMES = new Map<string, (err: ApiError, fields: Record<string, string>, mode: Mode) => Outcome>([
  ["otp_required", (_err, fields) => ({ errors: fields, formError: "", otpRequired: true })],
  ["otp_invalid", () => ({ errors: { otp: "That code is wrong or was already used." }, formError: "" })],
  ["account_disabled", (err, fields) => ({ errors: fields, formError: err.message })],
  [
    "invalid_credentials",
    (_err, fields, mode) => ({ errors: fields, formError: COPY[mode].wrongCredentials }),
  ],
]);

/** Field messages where the server gave them; the server's message above the form when they don't explain it. */
function signInOutcome(err: unknown, mode: Mode): Outcome {
  if (!(err instanceof ApiError))
    return { errors: {}, formError: "Can't reach the server. Check your connection and try again." };
  const fields = fieldErrors(err);
  const known = OUTCOMES.get(err.code);
  if (known) return known(err, fields, mode);
  const explained = Object.keys(fields).length > 0 && err.status !== 429;
  return { errors: fields, formError: explained ? "" : err.message };
}

/** Registers (sign-up only), then signs in — with the second factor once the server asked for it. */
async function signIn(
  mode: Mode,
  fields: { email: string; password: string; name: string; otp: string | null },
) {
  const email = fields.email.trim();
  const name = fields.name.trim();
  if (mode === "signup")
    await call("register", { body: { email, password: fields.password, ...(name ? { name } : {}) } });
  const otp = fields.otp === null ? {} : { otp: fields.otp.trim() };
  await call("login", { body: { email, password: fields.password, ...otp } });
}

export function AuthScreen(props: { mode: Mode; onSignedIn: () => Promise<void> }) {
  const signup = props.mode === "signup";
  const copy = COPY[props.mode];
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
    const local = checkCredentials(email, password, props.mode);
    setErrors(local);
    setFormError("");
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await signIn(props.mode, { email, password, name, otp });
      await props.onSignedIn();
    } catch (err) {
      const outcome = signInOutcome(err, props.mode);
      setErrors(outcome.errors);
      setFormError(outcome.formError);
      if (outcome.otpRequired) setOtp("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="auth-card" aria-labelledby="auth-title">
      <h1 id="auth-title">{copy.title}</h1>
      <p class="muted">{copy.lead}</p>
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
          hint={copy.passwordHint}
          name="password"
          type="password"
          aria-invalid={!!errors.password}
          autocomplete={copy.passwordAutocomplete}
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
          {busy ? "Please wait…" : copy.submit}
        </button>
      </form>
      <AuthSwitch mode={props.mode} />
    </section>
  );
}

function AuthSwitch({ mode }: { mode: Mode }) {
  return (
    <p class="auth-switch">
      {mode === "signup" ? (
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
  );
}
