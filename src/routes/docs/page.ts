export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edgecraft API reference</title>
<style>
  :root { color-scheme: light dark; --fg: #1b1f24; --muted: #5b6470; --bg: #fff; --card: #f5f7fa; --accent: #3b5bdb; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa4b2; --bg: #12151a; --card: #1c2129; --accent: #8da2fb; } }
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: var(--fg); background: var(--bg); }
  header { padding: 1.5rem 2rem; border-bottom: 1px solid #8883; }
  main { padding: 1rem 2rem 4rem; max-width: 1100px; }
  h2 { margin-top: 2.5rem; }
  details { background: var(--card); border-radius: 8px; margin: .5rem 0; padding: .5rem 1rem; }
  summary { cursor: pointer; font-family: ui-monospace, monospace; }
  .m { display: inline-block; min-width: 4.5rem; font-weight: 700; color: var(--accent); }
  .s { color: var(--muted); font-family: system-ui, sans-serif; margin-left: .5rem; }
  pre { overflow: auto; font-size: 13px; background: #8881; padding: .75rem; border-radius: 6px; }
</style>
</head>
<body>
<header><h1>Edgecraft API v1</h1><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1)</p></header>
<main id="root"><p>Loading…</p></main>
<script src="/api/docs/app.js" defer></script>
</body>
</html>`;

export const DOCS_SCRIPT = `
(async () => {
  const root = document.getElementById("root");
  const doc = await (await fetch("/api/v1/openapi.json")).json();
  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    for (const child of children) node.append(child);
    return node;
  };
  const groups = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "Other";
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push({ path, method, op });
    }
  }
  root.replaceChildren();
  for (const [tag, ops] of groups) {
    root.append(el("h2", { textContent: tag }));
    for (const { path, method, op } of ops) {
      const body = op.requestBody && Object.values(op.requestBody.content)[0];
      const responses = Object.entries(op.responses || {}).map(([code, r]) => code + " " + (r.description || "")).join("\\n");
      root.append(
        el("details", {},
          el("summary", {}, el("span", { className: "m", textContent: method.toUpperCase() }), path,
            el("span", { className: "s", textContent: op.summary || "" })),
          el("p", { textContent: op.description || "" }),
          op.parameters ? el("pre", { textContent: "Parameters\\n" + JSON.stringify(op.parameters, null, 2) }) : "",
          body ? el("pre", { textContent: "Body\\n" + JSON.stringify(body.schema, null, 2) }) : "",
          el("pre", { textContent: "Responses\\n" + responses }),
        ),
      );
    }
  }
  root.append(el("h2", { textContent: "Schemas" }),
    el("pre", { textContent: JSON.stringify((doc.components || {}).schemas || {}, null, 2) }));
})();
`;
