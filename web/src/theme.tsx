import { useState } from "preact/hooks";

export type Theme = "system" | "light" | "dark";

export function applyTheme(theme: Theme) {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

/** Follows the system by default; the choice is remembered on this device. */
export function ThemeSwitch() {
  const [theme, setTheme] = useState<Theme>(
    (localStorage.getItem("edgecraft:theme") as Theme | null) ?? "system",
  );
  return (
    <label class="theme-switch">
      <span class="sr-only">Theme</span>
      <select
        value={theme}
        aria-label="Theme"
        onChange={(e) => {
          const t = (e.target as HTMLSelectElement).value as Theme;
          setTheme(t);
          localStorage.setItem("edgecraft:theme", t);
          applyTheme(t);
        }}
      >
        <option value="system">System theme</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
