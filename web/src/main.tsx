import { type JSX, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call, type Me, onUnauthorized } from "./api";
import { AnnouncementBanner } from "./Banner";
import { AccountScreen } from "./screens/Account";
import { ForgotPasswordScreen, ResetPasswordScreen, VerifyEmailScreen } from "./screens/AccountRecovery";
import { AdminScreen } from "./screens/Admin";
import { AuthScreen } from "./screens/Auth";
import { BillingScreen } from "./screens/Billing";
import { JobsScreen } from "./screens/Jobs";
import { LibraryScreen } from "./screens/library/LibraryScreen";
import { OrganizerScreen } from "./screens/Organizer";
import { SharesScreen } from "./screens/SharesScreen";
import { StorageScreen } from "./screens/storage/StorageScreen";
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
  { href: "/storage", label: "Storage" },
  { href: "/account", label: "Account" },
];

interface ScreenContext {
  me: Me | null;
  query: URLSearchParams;
  refresh: () => Promise<void>;
}

/** The screens by path: a prefix, or the exact path; the first match wins (/account/billing before /account). */
const SCREENS: [path: string, match: "prefix" | "exact", screen: (c: ScreenContext) => JSX.Element][] = [
  ["/library", "prefix", () => <LibraryScreen />],
  ["/vectorize", "prefix", ({ query }) => <VectorizeScreen query={query} />],
  ["/organize", "prefix", ({ query }) => <OrganizerScreen query={query} />],
  ["/jobs", "prefix", () => <JobsScreen />],
  ["/account/billing", "prefix", ({ query }) => <BillingScreen query={query} />],
  ["/shares", "prefix", () => <SharesScreen />],
  ["/storage", "prefix", ({ query }) => <StorageScreen query={query} />],
  ["/account", "prefix", () => <AccountScreen />],
  [
    "/verify-email",
    "exact",
    ({ query, refresh }) => <VerifyEmailScreen token={query.get("token")} onVerified={refresh} />,
  ],
  ["/forgot-password", "exact", () => <ForgotPasswordScreen />],
  ["/reset-password", "exact", ({ query }) => <ResetPasswordScreen token={query.get("token")} />],
  ["/admin", "prefix", ({ me }) => (me?.role === "admin" ? <AdminScreen /> : <NotForYou />)],
];

function screenFor(path: string, context: ScreenContext): JSX.Element | null {
  const found = SCREENS.find(([p, match]) => (match === "exact" ? path === p : path.startsWith(p)));
  return found ? found[2](context) : null;
}

function NotForYou() {
  return (
    <div class="page">
      <h1>Not available</h1>
      <p>This page is for administrators.</p>
    </div>
  );
}

function NotFound() {
  return (
    <div class="page">
      <h1>Page not found</h1>
      <p>
        <Link href="/library">Go to your library</Link>
      </p>
    </div>
  );
}

/**
 * Where the app sends a visitor once it knows who they are: signed out, to sign in (keeping the whole
 * deep link, query string included, as `next`); signed in on the sign-in pages or at /, to `next` or
 * the library. Null: stay.
 */
function redirectFor(path: string, query: URLSearchParams, me: Me | null): string | null {
  const isAuthPath = path === "/signin" || path === "/signup";
  if (!me) {
    if (isAuthPath || PUBLIC_PATHS.includes(path)) return null;
    return `/signin${path !== "/" ? `?next=${encodeURIComponent(path + location.search)}` : ""}`;
  }
  if (!(isAuthPath || path === "/")) return null;
  const next = query.get("next");
  // Only a path of this app: `//host` or a full URL would send people elsewhere.
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/library";
}

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

  useEffect(() => {
    if (!booted) return;
    const to = redirectFor(path, query, me);
    if (to) navigate(to, true);
  }, [booted, me, path]);

  if (!booted) return <div class="boot" aria-busy="true" />;
  const context = { me, query, refresh };

  if (!me) {
    return (
      <Session.Provider value={{ me, refresh, signOut }}>
        <div class="auth-page">
          <header class="auth-head">
            <span class="logo">Edgecraft</span>
            <ThemeSwitch />
          </header>
          {(PUBLIC_PATHS.includes(path) && screenFor(path, context)) || (
            <AuthScreen mode={path === "/signup" ? "signup" : "signin"} onSignedIn={refresh} />
          )}
        </div>
        <Toasts />
      </Session.Provider>
    );
  }

  const nav = me.role === "admin" ? [...NAV, { href: "/admin", label: "Admin" }] : NAV;
  const screen = screenFor(path, context) ?? <NotFound />;

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
      <AnnouncementBanner />
      {!me.emailVerified ? <VerifyBanner email={me.email} /> : null}
      <main id="main">{screen}</main>
      <Toasts />
    </Session.Provider>
  );
}

render(<App />, document.getElementById("app")!);
