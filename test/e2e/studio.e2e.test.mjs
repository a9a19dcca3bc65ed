// Issue 16 in the browser: the studio shows the truth (the vector alone on a chosen background, fit
// and pointer zoom, stages with percentages, errors by the source, reopened jobs with their own
// options, cache hits with real figures, names that say what made a file), pricing confirmed before
// a job starts, and every format checked against the SVG as Chromium draws it: the PDF rendered by
// pdf.js, the EPS by Ghostscript (WebAssembly), the PNG as it is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { before, test } from "node:test";
import gsFactory from "@jspawn/ghostscript-wasm";
import pngDecode, { init as initPng } from "@jsquash/png/decode.js";
import { assertAxeClean, dropFiles, FIXTURES, newPage, session, shots, useSession } from "./browser.mjs";

const require = createRequire(import.meta.url);
const USER = { email: `vic+${Date.now()}@e2e.test`, password: "correct-horse-battery-9" };
const TALL = "computer__bluepane_01.png"; // 794 × 1123
const LINES = "office__cross_hand_drawn_linda_k_01.png";

useSession();
before(async () => {
  await initPng(
    new WebAssembly.Module(readFileSync(require.resolve("@jsquash/png/codec/pkg/squoosh_png_bg.wasm"))),
  );
});

/** A signed-in page (the account made through the API, the session cookie in the page's context). */
async function signedIn() {
  const p = await newPage();
  const { page } = p;
  // unsafe requests with the session cookie must come from our own origin (CSRF), as the page's do
  page.post = (url, options = {}) =>
    page.request.post(url, { ...options, headers: { origin: session.base, ...(options.headers ?? {}) } });
  const reg = await page.request.post("/api/v1/auth/register", { data: USER });
  // A new and a taken address are answered alike: 202 "check your email", never with an id
  assert.equal(reg.status(), 202, `register: ${reg.status()}`);
  const login = await page.request.post("/api/v1/auth/login", { data: USER });
  assert.equal(login.status(), 200);
  // pdf.js for the page, from this project's node_modules, at a same-origin path (the CSP allows 'self')
  const pdfjs = path.dirname(require.resolve("pdfjs-dist/package.json"));
  await page.route("**/__e2e/pdf*.mjs", (route) =>
    route.fulfill({
      body: readFileSync(path.join(pdfjs, "build", path.basename(new URL(route.request().url()).pathname))),
      contentType: "text/javascript",
    }),
  );
  return p;
}

/** Waits for the new job (not `previous`) to end; returns its id (from the URL the studio moves to). */
async function finishedJob(page, previous = null) {
  await page.waitForURL((u) => {
    const id = new URL(u).searchParams.get("job");
    return id !== null && id !== previous;
  });
  await page.locator(".badge-succeeded").waitFor({ timeout: 90_000 });
  return new URL(page.url()).searchParams.get("job");
}

async function confirmQuote(page) {
  await page.getByRole("button", { name: /^(Vectorize|Re-run with these options)$/ }).click();
  await page.getByTestId("quote").waitFor();
  const text = await page.getByTestId("quote").textContent();
  await page.getByRole("button", { name: "Confirm" }).click();
  return text;
}

/** The SVG of a job drawn by Chromium on white at w × h, as RGBA (base64 over the wire). */
async function chromiumSvg(page, jobId, w, h) {
  const b64 = await page.evaluate(
    async ({ jobId, w, h }) => {
      const img = new Image();
      img.src = `/api/v1/jobs/${jobId}/result?format=svg`;
      await img.decode();
      const c = new OffscreenCanvas(w, h);
      const ctx = c.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(img, 0, 0, w, h);
      const d = ctx.getImageData(0, 0, w, h).data;
      let s = "";
      for (let i = 0; i < d.length; i += 32768) s += String.fromCharCode(...d.subarray(i, i + 32768));
      return btoa(s);
    },
    { jobId, w, h },
  );
  return Buffer.from(b64, "base64");
}

/** Share of pixels differing by more than `tol` in some channel (both composited on white). */
function differing(a, b, w, h, tol = 48) {
  let bad = 0;
  for (let i = 0; i < w * h; i++) {
    const onWhite = (d, k) => {
      const al = d[i * 4 + 3] / 255;
      return d[i * 4 + k] * al + 255 * (1 - al);
    };
    for (let k = 0; k < 3; k++) {
      if (Math.abs(onWhite(a, k) - onWhite(b, k)) > tol) {
        bad++;
        break;
      }
    }
  }
  return bad / (w * h);
}

test("studio: errors by the source, fit and pointer zoom, the vector alone on its background, live stages", async () => {
  const { page, context, errors } = await signedIn();
  await page.goto("/vectorize", { waitUntil: "domcontentloaded" });

  // a file that is not an image: the error shows beside the drop zone, in view
  await page.evaluate(() => {
    const d = new DataTransfer();
    d.items.add(new File([new Uint8Array([1, 2, 3, 4])], "not-an-image.png", { type: "image/png" }));
    window.__dt = d;
  });
  const zone = page.getByRole("region", { name: "Source image" });
  for (const type of ["dragover", "drop"])
    await zone.dispatchEvent(type, { dataTransfer: await page.evaluateHandle(() => window.__dt) });
  const problem = page.getByTestId("source-error").getByRole("alert");
  await problem.waitFor();
  const box = await problem.boundingBox();
  assert.ok(
    box && box.y >= 0 && box.y + box.height <= 860,
    `the upload error is in view (${JSON.stringify(box)})`,
  );

  // a tall image, dropped: fit shows all of it, tall or not
  await dropFiles(page, 'section[aria-label="Source image"]', [TALL]);
  await page.waitForURL(/\/vectorize\?media=/);
  await page.locator("label.preset", { hasText: "Logo" }).click();
  const quote = await confirmQuote(page);
  assert.match(quote, /This costs 10 credits/);

  // the stages as the page showed them, with their percentages
  await page.evaluate(() => {
    window.__stages = [];
    const seen = () => {
      const t = document.querySelector("[data-testid=job-stage]")?.textContent;
      if (t && t !== window.__stages.at(-1)) window.__stages.push(t);
    };
    new MutationObserver(seen).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    seen();
  });
  const jobId = await finishedJob(page);
  const stages = await page.evaluate(() => window.__stages);
  const parsed = stages.map((s) => /^(\w+) · (\d+)%$/.exec(s)).filter(Boolean);
  assert.ok(parsed.length >= 2, `stages seen: ${stages.join(" | ")}`);
  const order = ["queued", "decoding", "quantizing", "tracing", "measuring", "writing"];
  for (let i = 1; i < parsed.length; i++) {
    assert.ok(order.indexOf(parsed[i][1]) >= order.indexOf(parsed[i - 1][1]), `stage order: ${stages}`);
    assert.ok(Number(parsed[i][2]) >= Number(parsed[i - 1][2]), `percentages grow: ${stages}`);
  }
  assert.ok(
    parsed.some((p) => ["quantizing", "tracing"].includes(p[1])),
    `a tracer stage was shown: ${stages}`,
  );

  await page.waitForFunction(() => document.querySelector("[data-testid=svg-result]")?.complete);
  // fit: the whole tall image in the pane
  const fits = await page.evaluate(() =>
    [...document.querySelectorAll(".pane")].map((p) => {
      const s = p.querySelector(".stage").getBoundingClientRect();
      const r = p.getBoundingClientRect();
      return s.top >= r.top - 1 && s.bottom <= r.bottom + 1 && s.left >= r.left - 1 && s.right <= r.right + 1;
    }),
  );
  assert.deepEqual(fits, [true, true]);
  await shots(page, "16-01-studio-fit");

  // ctrl + wheel zooms around the pointer: the image point under it stays under it
  const pane = page.getByRole("region", { name: "Vector result (scrollable)" });
  const pr = await pane.boundingBox();
  const at = { x: pr.x + pr.width * 0.3, y: pr.y + pr.height * 0.4 };
  const pointUnder = () =>
    page.evaluate(({ x, y }) => {
      const stage = document.querySelector('[aria-label="Vector result (scrollable)"] .stage');
      const r = stage.getBoundingClientRect();
      const scale = r.width / 794;
      return [(x - r.left) / scale, (y - r.top) / scale];
    }, at);
  const before = await pointUnder();
  await page.mouse.move(at.x, at.y);
  await page.keyboard.down("Control");
  await page.mouse.wheel(0, -300);
  await page.keyboard.up("Control");
  await page.waitForTimeout(200);
  const zoomed = Number((await page.getByTestId("zoom-level").textContent()).replace("%", ""));
  const afterPoint = await pointUnder();
  assert.ok(
    Math.abs(afterPoint[0] - before[0]) < 3 && Math.abs(afterPoint[1] - before[1]) < 3,
    `${before} → ${afterPoint}`,
  );
  assert.ok(zoomed > 40, `zoomed in (${zoomed}%)`);
  // zoomed in, the tall image scrolls to its bottom: nothing is cropped
  const reach = await pane.evaluate((p) => {
    p.scrollTop = p.scrollHeight;
    const s = p.querySelector(".stage").getBoundingClientRect();
    return Math.abs(s.bottom - p.getBoundingClientRect().bottom);
  });
  assert.ok(reach < 4, `scrolled to the image's bottom edge (${reach}px off)`);

  // the vector alone, on the chosen background, in both views
  await page.getByRole("button", { name: "Fit" }).click();
  await page.getByTestId("backgrounds").getByRole("button", { name: "Black" }).click();
  assert.equal(await pane.evaluate((p) => getComputedStyle(p).backgroundColor), "rgb(0, 0, 0)");
  await page.getByRole("button", { name: "Before / after" }).click();
  const layer = page.getByTestId("slider-vector");
  assert.equal(await layer.evaluate((l) => getComputedStyle(l).backgroundColor), "rgb(0, 0, 0)");
  await page.getByTestId("backgrounds").getByRole("button", { name: "Colour" }).click();
  await page.getByLabel("Background colour").fill("#336699");
  assert.equal(await layer.evaluate((l) => getComputedStyle(l).backgroundColor), "rgb(51, 102, 153)");
  await shots(page, "16-02-studio-slider-background");
  assert.ok(jobId);

  // the one failed request the test made on purpose (the file that is not an image)
  assert.deepEqual(
    errors.filter((e) => !/status of 415/.test(e)),
    [],
  );
  assert.equal(errors.length, 1);
  assertAxeClean(page);
  await context.close();
});

test("centerline with a palette: quality shown, formats priced and checked against Chromium's SVG", async () => {
  const { page, context, errors } = await signedIn();
  const up = await page.post("/api/v1/media", {
    multipart: {
      file: { name: "cross.png", mimeType: "image/png", buffer: readFileSync(path.join(FIXTURES, LINES)) },
    },
  });
  assert.equal(up.status(), 201);
  const media = (await up.json()).media;
  await page.goto(`/vectorize?media=${media.id}`, { waitUntil: "domcontentloaded" });
  await page.getByLabel("Mode").selectOption("centerline");
  await page.getByRole("slider", { name: "Threshold: darker than this is ink" }).fill("150");
  await page.getByTestId("palette").getByRole("checkbox").check();
  await page.getByLabel("Palette colour 1").fill("#112233");
  await confirmQuote(page);
  const jobId = await finishedJob(page);
  const stats = await page.getByTestId("result-stats").textContent();
  assert.match(stats, /cross\.logo\.centerline\.p2\.t150\.svg/);
  const quality = await page.getByTestId("quality").textContent();
  assert.match(quality, /SSIM \d\.\d{3}/);
  await shots(page, "16-03-studio-centerline");

  // SVG free; PDF priced, asked, charged once, then free
  const svgDownload = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-svg").click(),
  ]);
  assert.equal(svgDownload[0].suggestedFilename(), "cross.logo.centerline.p2.t150.svg");
  const svg = readFileSync(await svgDownload[0].path(), "utf8");
  assert.match(svg, /stroke="#112233"/);
  assert.match(await page.getByTestId("download-pdf").textContent(), /PDF · 1 credit/);
  const [pdfDownload] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("download-pdf").click(),
  ]);
  assert.equal(pdfDownload.suggestedFilename(), "cross.logo.centerline.p2.t150.pdf");
  assert.equal((await page.getByTestId("download-pdf").textContent()).trim(), "PDF");

  for (const format of ["png", "eps"]) {
    const r = await page.post(`/api/v1/jobs/${jobId}/formats/${format}`);
    assert.equal(r.status(), 200);
  }
  const job = (await (await page.request.get(`/api/v1/jobs/${jobId}`)).json()).job;
  const W = Math.round(job.result.width / 2);
  const H = Math.round(job.result.height / 2);
  const reference = await chromiumSvg(page, jobId, W, H);

  // PDF, rendered by pdf.js in the page
  const pdfPixels = Buffer.from(
    await page.evaluate(
      async ({ jobId, W, H }) => {
        const pdfjs = await import("/__e2e/pdf.mjs");
        pdfjs.GlobalWorkerOptions.workerSrc = "/__e2e/pdf.worker.mjs";
        const data = new Uint8Array(
          await (await fetch(`/api/v1/jobs/${jobId}/result?format=pdf`)).arrayBuffer(),
        );
        const doc = await pdfjs.getDocument({ data }).promise;
        const p = await doc.getPage(1);
        const viewport = p.getViewport({ scale: W / p.view[2] });
        const canvas = document.createElement("canvas");
        canvas.width = W;
        canvas.height = H;
        const ctx = canvas.getContext("2d");
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, W, H);
        await p.render({ canvas, canvasContext: ctx, viewport }).promise;
        const d = ctx.getImageData(0, 0, W, H).data;
        let s = "";
        for (let i = 0; i < d.length; i += 32768) s += String.fromCharCode(...d.subarray(i, i + 32768));
        return btoa(s);
      },
      { jobId, W, H },
    ),
    "base64",
  );
  const pdfOff = differing(reference, pdfPixels, W, H);
  assert.ok(pdfOff < 0.01, `PDF (pdf.js) vs SVG (Chromium): ${(pdfOff * 100).toFixed(2)}% of pixels differ`);

  // PNG, as served
  const png = await pngDecode(
    (await (await page.request.get(`/api/v1/jobs/${jobId}/result?format=png&width=${W}`)).body()).buffer,
  );
  assert.equal(png.width, W);
  const pngOff = differing(reference, png.data, W, H);
  assert.ok(pngOff < 0.01, `PNG (resvg) vs SVG (Chromium): ${(pngOff * 100).toFixed(2)}% of pixels differ`);

  // EPS, rendered by Ghostscript
  const eps = await (await page.request.get(`/api/v1/jobs/${jobId}/result?format=eps`)).body();
  const wasm = readFileSync(require.resolve("@jspawn/ghostscript-wasm/gs.wasm"));
  const gs = await gsFactory({
    print: () => {},
    printErr: () => {},
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(wasm, imports).then((r) => done(r.instance, r.module));
      return {};
    },
  });
  gs.FS.writeFile("/in.eps", eps);
  const dpi = (72 / 0.75) * (W / job.result.width);
  const code = gs.callMain([
    "-q",
    "-dSAFER",
    "-dBATCH",
    "-dNOPAUSE",
    "-dEPSCrop",
    "-sDEVICE=png16m",
    `-r${dpi}`,
    "-dGraphicsAlphaBits=4",
    "-sOutputFile=/out.png",
    "/in.eps",
  ]);
  assert.equal(code, 0, "Ghostscript read the EPS");
  const epsPng = await pngDecode(gs.FS.readFile("/out.png").buffer);
  assert.ok(
    Math.abs(epsPng.width - W) <= 1 && Math.abs(epsPng.height - H) <= 1,
    `${epsPng.width}×${epsPng.height}`,
  );
  const cropped = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let k = 0; k < 4; k++)
        cropped[(y * W + x) * 4 + k] =
          x < epsPng.width && y < epsPng.height ? epsPng.data[(y * epsPng.width + x) * 4 + k] : 255;
  const epsOff = differing(reference, cropped, W, H);
  assert.ok(
    epsOff < 0.02,
    `EPS (Ghostscript) vs SVG (Chromium): ${(epsOff * 100).toFixed(2)}% of pixels differ`,
  );

  assert.deepEqual(errors, []);
  assertAxeClean(page);
  await context.close();
});

test("a reopened job shows its own options; re-run sends exactly those; a cache hit shows real figures", async () => {
  const { page, context, errors } = await signedIn();
  const up = await page.post("/api/v1/media", {
    multipart: {
      file: {
        name: "rubik.png",
        mimeType: "image/png",
        buffer: readFileSync(path.join(FIXTURES, "recreation__toys__rubik.png")),
      },
    },
  });
  const media = (await up.json()).media;
  const options = { preset: "poster", colors: 5, smoothness: 70 };
  const first = await page.post("/api/v1/vectorize", {
    data: { mediaId: media.id, options, pricing: "test" },
  });
  const { job } = await first.json();
  for (let i = 0; i < 300; i++) {
    const j = (await (await page.request.get(`/api/v1/jobs/${job.id}`)).json()).job;
    if (j.status === "succeeded") break;
    await page.waitForTimeout(200);
  }
  const done = (await (await page.request.get(`/api/v1/jobs/${job.id}`)).json()).job;

  await page.goto(`/vectorize?job=${job.id}`, { waitUntil: "domcontentloaded" });
  await page.locator(".badge-succeeded").waitFor();
  assert.ok(await page.getByRole("radio", { name: /Photo poster/ }).isChecked());
  assert.equal(await page.getByLabel("Pricing").inputValue(), "test");
  assert.match(await page.locator(".options-grid").textContent(), /Colours 5/);
  assert.match(await page.locator(".options-grid").textContent(), /Smoothness 70/);
  // re-run: the same request, answered from the earlier result with its real figures
  const quote = await confirmQuote(page);
  assert.match(quote, /This costs nothing/);
  const rerunId = await finishedJob(page, job.id);
  const rerun = (await (await page.request.get(`/api/v1/jobs/${rerunId}`)).json()).job;
  assert.deepEqual(rerun.input.options, options);
  assert.equal(rerun.input.pricing, "test");
  assert.equal(rerun.result.cached, true);
  const stats = await page.getByTestId("result-stats").textContent();
  assert.match(stats, /from an earlier identical job/);
  assert.match(stats, new RegExp(`${done.result.paths} paths`));
  assert.match(stats, new RegExp(`${done.result.points} points`));
  assert.match(stats, /rubik\.poster\.c5\.test\.svg/);
  await shots(page, "16-04-studio-reopened");

  assert.deepEqual(errors, []);
  assertAxeClean(page);
  await context.close();
});
