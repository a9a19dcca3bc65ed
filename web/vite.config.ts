import { defineConfig } from "vite";

/** The web app: Preact with the automatic JSX runtime, built to web/dist (served by the Worker). */
export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  resolve: { alias: { react: "preact/compat", "react-dom": "preact/compat" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { proxy: { "/api": { target: "http://localhost:8787", ws: true } } },
});
