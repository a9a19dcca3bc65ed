import { escapeHtml } from "../lib/html";

/**
 * The HTML of share links, for people opening one in a browser: a file's page (preview, name, size,
 * Download), a folder's or selection's page (a list of files), the password form, and friendly
 * error pages. Standalone documents: no script, inline CSS, every value escaped, served with a CSP
 * that allows only our own images and this form.
 */
/** 1536 → "1.5 KB". */
function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export const SHARE_PAGE_CSP =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
:root{color-scheme:light dark;--bg:light-dark(#f6f7f9,#0f1217);--surface:light-dark(#fff,#171b22);--border:light-dark(#d9dde5,#2e3441);--text:light-dark(#161a22,#e7eaf0);--muted:light-dark(#5b6475,#9aa3b5);--accent:light-dark(#3b5bdb,#7c95ff);--accent-text:light-dark(#fff,#0b0e14);--danger:light-dark(#c92a2a,#ff6b6b)}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:var(--bg);color:var(--text)}
header{padding:.75rem 1.25rem;border-bottom:1px solid var(--border);background:var(--surface);font-weight:700}
main{max-width:60rem;margin:2rem auto;padding:0 1rem}
.card{background:var(--surface);border:1px solid var(--border);border-radius:12px;padding:1.25rem}
.preview{display:grid;place-items:center;min-height:12rem;margin-bottom:1rem;background:repeating-conic-gradient(light-dark(#fff,#22262e) 0 25%,light-dark(#e6e8ec,#2b3039) 0 50%) 50%/24px 24px;border-radius:8px}
.preview img{max-width:100%;max-height:70vh;display:block}
h1{font-size:1.4rem;margin:0 0 .25rem;overflow-wrap:anywhere}
.muted{color:var(--muted)}
.btn{display:inline-block;padding:.55rem 1rem;border-radius:8px;background:var(--accent);color:var(--accent-text);text-decoration:none;font-weight:600;border:0;font:inherit;cursor:pointer}
.files{list-style:none;padding:0;margin:1rem 0 0;display:grid;gap:.5rem}
.files li{display:flex;align-items:center;gap:.75rem;padding:.5rem;border:1px solid var(--border);border-radius:8px}
.files img{width:64px;height:64px;object-fit:cover;border-radius:6px;flex:none}
.files .name{flex:1;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{font:inherit;padding:.5rem;border:1px solid var(--border);border-radius:8px;width:100%;max-width:20rem;background:var(--bg);color:var(--text)}
.error{color:var(--danger);font-weight:600}
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)} · Edgecraft</title><style>${STYLE}</style></head><body><header>Edgecraft</header><main>${body}</main></body></html>`;
}

export interface PageFile {
  name: string;
  size: number;
  mime: string;
  /** Preview image URL (a signed transformation, or an icon as a data: URL). */
  preview: string;
  download: string;
}

export function filePage(file: PageFile, expiresAt: string): string {
  return page(
    file.name,
    `<div class="card"><div class="preview"><img src="${escapeHtml(file.preview)}" alt="Preview of ${escapeHtml(file.name)}"></div>
<h1>${escapeHtml(file.name)}</h1><p class="muted">${escapeHtml(formatSize(file.size))} · ${escapeHtml(file.mime)} · link expires ${escapeHtml(expiresAt.slice(0, 10))}</p>
<p><a class="btn" href="${escapeHtml(file.download)}">Download</a></p></div>`,
  );
}

export function listPage(title: string, files: PageFile[], expiresAt: string, zip: string | null): string {
  const items = files
    .map(
      (f) =>
        `<li><img src="${escapeHtml(f.preview)}" alt=""><span class="name">${escapeHtml(f.name)}<br><span class="muted">${escapeHtml(formatSize(f.size))}</span></span><a class="btn" href="${escapeHtml(f.download)}" aria-label="Download ${escapeHtml(f.name)}">Download</a></li>`,
    )
    .join("");
  return page(
    title,
    `<div class="card"><h1>${escapeHtml(title)}</h1><p class="muted">${files.length} file${files.length === 1 ? "" : "s"} · link expires ${escapeHtml(expiresAt.slice(0, 10))}</p>
${zip ? `<p><a class="btn" href="${escapeHtml(zip)}">Download all (ZIP)</a></p>` : ""}
${files.length ? `<ul class="files">${items}</ul>` : `<p>This folder is empty.</p>`}</div>`,
  );
}

export function passwordPage(action: string, wrong: boolean): string {
  return page(
    "Password required",
    `<div class="card"><h1>This link is protected</h1><p>Enter the password you were given to open it.</p>
<form method="post" action="${escapeHtml(action)}"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
${wrong ? `<p class="error" role="alert">That password is not right.</p>` : ""}<p><button class="btn" type="submit">Open</button></p></form></div>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<div class="card"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></div>`);
}
