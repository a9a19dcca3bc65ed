// Images the bench generates itself (deterministic): gradient, photo-like, B/W glyphs, 4 MP and 16 MP flat art.
import { Resvg } from "@resvg/resvg-js";
import type { Rgba } from "./metrics.mts";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function render(svg: string, width: number): Rgba {
  const img = new Resvg(svg, {
    fitTo: { mode: "width", value: width },
    font: { loadSystemFonts: false },
  }).render();
  return { data: img.pixels, width: img.width, height: img.height };
}

export function gradient(): Rgba {
  const w = 512;
  const h = 512;
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x / (w - 1);
      const v = y / (h - 1);
      const o = (y * w + x) * 4;
      d[o] = Math.round(255 * (0.15 + 0.8 * u));
      d[o + 1] = Math.round(255 * (0.2 + 0.6 * v * (1 - 0.5 * u)));
      d[o + 2] = Math.round(255 * (0.9 - 0.7 * u * v));
      d[o + 3] = 255;
    }
  }
  return { data: d, width: w, height: h };
}

export function photoLike(): Rgba {
  const w = 640;
  const h = 480;
  const r = rng(7);
  const blobs = Array.from({ length: 14 }, () => ({
    x: r() * w,
    y: r() * h,
    s: 40 + r() * 140,
    c: [r() * 255, r() * 255, r() * 255],
  }));
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // sky-to-ground shading
      let cr = 90 + 80 * (y / h);
      let cg = 120 + 40 * (y / h);
      let cb = 200 - 120 * (y / h);
      for (const b of blobs) {
        const q = ((x - b.x) ** 2 + (y - b.y) ** 2) / (b.s * b.s);
        const k = Math.exp(-q * 2.2);
        cr = cr * (1 - k) + b.c[0]! * k;
        cg = cg * (1 - k) + b.c[1]! * k;
        cb = cb * (1 - k) + b.c[2]! * k;
      }
      const n = (r() - 0.5) * 14;
      const o = (y * w + x) * 4;
      d[o] = Math.max(0, Math.min(255, Math.round(cr + n)));
      d[o + 1] = Math.max(0, Math.min(255, Math.round(cg + n)));
      d[o + 2] = Math.max(0, Math.min(255, Math.round(cb + n)));
      d[o + 3] = 255;
    }
  }
  return { data: d, width: w, height: h };
}

/** Black glyph-like shapes (letters drawn as paths: no fonts needed) on white. */
export function glyphs(): Rgba {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="400" viewBox="0 0 800 400">
<rect width="800" height="400" fill="#fff"/>
<g fill="#000">
<path d="M40 340 110 60h40l70 280h-44l-16-70h-60l-16 70zm68-110h44l-22-100z"/>
<path fill-rule="evenodd" d="M340 50a110 145 0 1 0 .1 0zm0 50a60 95 0 1 1-.1 0z"/>
<path d="M480 60h150v42H526v76h92v42h-92v78h106v42H480z"/>
<path d="M760 110c-10-40-90-50-100 0-6 36 80 50 96 110 14 60-40 124-110 96l8-40c40 18 70-4 60-40-8-30-94-50-96-110 0-70 110-84 142-26z"/>
<circle cx="60" cy="380" r="8"/><circle cx="90" cy="380" r="5"/><circle cx="112" cy="380" r="3"/>
<rect x="150" y="372" width="300" height="3"/><rect x="150" y="380" width="300" height="1.5"/>
</g>
<path d="M480 360 C 560 300 640 420 780 350" stroke="#000" stroke-width="4" fill="none"/>
</svg>`;
  return render(svg, 800);
}

/** Flat art with anti-aliased edges: random shapes with black outlines. */
function flatArtSvg(seed: number): string {
  const r = rng(seed);
  const palette = [
    "#e63946",
    "#f1c40f",
    "#2a9d8f",
    "#264653",
    "#f4a261",
    "#8e44ad",
    "#ffffff",
    "#3498db",
    "#2ecc71",
  ];
  const parts: string[] = [];
  for (let i = 0; i < 90; i++) {
    const fill = palette[Math.floor(r() * palette.length)]!;
    const x = r() * 1000;
    const y = r() * 1000;
    const s = 20 + r() * 110;
    const sw = (1 + r() * 4).toFixed(1);
    const k = r();
    if (k < 0.35)
      parts.push(
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${s.toFixed(1)}" fill="${fill}" stroke="#000" stroke-width="${sw}"/>`,
      );
    else if (k < 0.7)
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(s * 1.5).toFixed(1)}" height="${s.toFixed(1)}" fill="${fill}" stroke="#000" stroke-width="${sw}" transform="rotate(${(r() * 90).toFixed(1)} ${x.toFixed(1)} ${y.toFixed(1)})"/>`,
      );
    else {
      const n = 5;
      const pts: string[] = [];
      for (let j = 0; j < n * 2; j++) {
        const a = (j * Math.PI) / n;
        const rr = j % 2 ? s * 0.45 : s;
        pts.push(`${(x + rr * Math.cos(a)).toFixed(1)},${(y + rr * Math.sin(a)).toFixed(1)}`);
      }
      parts.push(`<polygon points="${pts.join(" ")}" fill="${fill}" stroke="#000" stroke-width="${sw}"/>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000" viewBox="0 0 1000 1000"><rect width="1000" height="1000" fill="#fdf6e3"/>${parts.join("")}</svg>`;
}

export function flatArt(width: number): Rgba {
  return render(flatArtSvg(42), width);
}
