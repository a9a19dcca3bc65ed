import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call, type Me, onUnauthorized } from "./api";
import { AccountScreen } from "./screens/Account";
import { ForgotPasswordScreen, ResetPasswordScreen, VerifyEmailScreen } from "./screens/AccountRecovery";
import { AdminScreen } from "./screens/Admin";
import { AuthScreen } from "./screens/Auth";
import { BillingScreen } from "./screens/Billing";
import { JobsScreen } from "./screens/Jobs";
import { LibraryScreen } from "./screens/library/LibraryScreen";
import { OrganizerScreen } from "./screens/Organizer";
import { SharesScreen } from "./screens/SharesScreen";
import { VectorizeScreen } from "./screens/vectorize/VectorizeScreen";
import "./styles.css";
import { applyTheme, type Theme, ThemeSwitch } from "./theme";
import { Link, navigate, Session, Toasts, toast, toastError, useLocation } from "./ui";

/** Pages an emailed link opens; they work signed out (and /verify-email signed in too). */
const PUBLIC_PATHS = ["/forgot-password", "/reset-password", "/verify-email"];

function VerifyBanner({ email }: { email: string }) {
  return (
    <div class="banner" role="status" data-testid="verify-banner">
      Please verify your email address: we sent a link to <strong>{email}</strong>. Buying credits and
      creating API keys wait for it.{" "}
      <button
        type="button"
        class="btn btn-sm"
        onClick={() =>
          call("resendVerification").then(() => toast("We sent you a new link.", "ok"), toastError)
        }
      >
        Send a new link
      </button>
    </div>
  );
}

applyTheme((localStorage.getItem("edgecraft:theme") as Theme | null) ?? "system");

const NAV = [
  { href: "/library", label: "Library" },
  { href: "/vectorize", label: "Vectorize" },
  { href: "/organize", label: "Organizer" },
  { href: "/jobs", label: "Jobs" },
  { href: "/shares", label: "Shares" },
  { href: "/account", label: "Account" },
];

function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [booted, setBooted] = useState(false);
  const { path, query } = useLocation();

  const refresh = async () => {
    try {
      const { user } = await call<{ user: Me }>("me");
      setMe(user);
    } catch {
      setMe(null);
    }
  };
  const signOut = async () => {
    try {
      await call("logout");
    } catch {}
    setMe(null);
    navigate("/signin");
  };

  useEffect(() => {
    refresh().finally(() => setBooted(true));
    return onUnauthorized(() => {
      setMe(null);
      navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`);
    });
  }, []);

  const isAuthPath = path === "/signin" || path === "/signup";
  const isPublicPath = PUBLIC_PATHS.includes(path);
  useEffect(() => {
    if (!booted) return;
    // The whole deep link, query string included (`/vectorize?media=…`), survives signing in.
    if (!me && !isAuthPath && !isPublicPath)
      navigate(`/signin${path !== "/" ? `?next=${encodeURIComponent(path + location.search)}` : ""}`, true);
    const next = query.get("next");
    // Only a path of this app: `//host` or a full URL would send people elsewhere.
    if (me && (isAuthPath || path === "/"))
      navigate(next?.startsWith("/") && !next.startsWith("//") ? next : "/library", true);
  }, [booted, me, path]);

  if (!booted) return <div class="boot" aria-busy="true" />;

  if (!me) {
    return (
      <Session.Provider value={{ me, refresh, signOut }}>
        <div class="auth-page">
          <header class="auth-head">
            <span class="logo">Edgecraft</span>
            <ThemeSwitch />
          </header>
          {path === "/forgot-password" ? (
            <ForgotPasswordScreen />
          ) : path === "/reset-password" ? (
            <ResetPasswordScreen token={query.get("token")} />
          ) : path === "/verify-email" ? (
            <VerifyEmailScreen token={query.get("token")} onVerified={refresh} />
          ) : (
            <AuthScreen mode={path === "/signup" ? "signup" : "signin"} onSignedIn={refresh} />
          )}
        </div>
        <Toasts />
      </Session.Provider>
    );
  }

  const nav = me.role === "admin" ? [...NAV, { href: "/admin", label: "Admin" }] : NAV;
  let screen = null;
  if (path.startsWith("/library")) screen = <LibraryScreen />;
  else if (path.startsWith("/vectorize")) screen = <VectorizeScreen query={query} />;
  else if (path.startsWith("/organize")) screen = <OrganizerScreen query={query} />;
  else if (path.startsWith("/jobs")) screen = <JobsScreen />;
  else if (path.startsWith("/account/billing")) screen = <BillingScreen query={query} />;
  else if (path.startsWith("/shares")) screen = <SharesScreen />;
  else if (path.startsWith("/account")) screen = <AccountScreen />;
  else if (path === "/verify-email")
    screen = <VerifyEmailScreen token={query.get("token")} onVerified={refresh} />;
  else if (path === "/forgot-password" || path === "/reset-password")
    screen =
      path === "/reset-password" ? (
        <ResetPasswordScreen token={query.get("token")} />
      ) : (
        <ForgotPasswordScreen />
      );
  else if (path.startsWith("/admin"))
    screen =
      me.role === "admin" ? (
        <AdminScreen />
      ) : (
        <div class="page">
          <h1>Not available</h1>
          <p>This page is for administrators.</p>
        </div>
      );
  else
    screen = (
      <div class="page">
        <h1>Page not found</h1>
        <p>
          <Link href="/library">Go to your library</Link>
        </p>
      </div>
    );

  return (
    <Session.Provider value={{ me, refresh, signOut }}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/library" class="logo">
          Edgecraft
        </Link>
        <nav aria-label="Main">
          {nav.map((n) => (
            <Link
              key={n.href}
              href={n.href}
              class={path.startsWith(n.href) ? "active" : ""}
              aria-current={path.startsWith(n.href) ? "page" : undefined}
            >
              {n.label}
            </Link>
          ))}
        </nav>
        <div class="topbar-end">
          <span class="credits" title="Credits">
            {me.credits} credits
          </span>
          <ThemeSwitch />
          <button type="button" class="btn btn-ghost" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      {!me.emailVerified ? <VerifyBanner email={me.email} /> : null}
      <main id="main">{screen}</main>
      <Toasts />
    </Session.Provider>
  );
}

render(<App />, document.getElementById("app")!);
