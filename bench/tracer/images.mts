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

export function photoLike(seed = 7, w = 640, h = 480): Rgba {
  const r = rng(seed);
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

// ---------------------------------------------------------------- generated gradients
/** A diagonal two-stop linear ramp behind a flat badge (a ramp region next to flat shapes). */
export function linearRamp(): Rgba {
  return render(
    `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 480 360">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="0.6"><stop offset="0" stop-color="#0b3d91"/><stop offset="1" stop-color="#f2a65a"/></linearGradient></defs>
<rect width="480" height="360" fill="url(#g)"/>
<rect x="170" y="120" width="140" height="120" rx="18" fill="#fff"/><circle cx="240" cy="180" r="36" fill="#d62828"/>
</svg>`,
    480,
  );
}

/** A radial gradient disc with a highlight, on white (a "button" or "sphere"). */
export function radialBlob(): Rgba {
  return render(
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">
<defs><radialGradient id="r" cx="0.4" cy="0.38" r="0.62"><stop offset="0" stop-color="#bff0c8"/><stop offset="0.55" stop-color="#2a9d8f"/><stop offset="1" stop-color="#123c3a"/></radialGradient></defs>
<rect width="400" height="400" fill="#fff"/><circle cx="200" cy="200" r="170" fill="url(#r)"/>
</svg>`,
    400,
  );
}

/** Three-stop vertical sky over a flat ground with a sun: gradients and flat colour together. */
export function skyScene(): Rgba {
  return render(
    `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="384" viewBox="0 0 512 384">
<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#1e3c72"/><stop offset="0.6" stop-color="#7fb3e0"/><stop offset="1" stop-color="#f6d6a8"/></linearGradient></defs>
<rect width="512" height="384" fill="url(#s)"/><circle cx="380" cy="250" r="50" fill="#ffd23f"/>
<path d="M0 290 C120 250 260 330 512 280 V384 H0z" fill="#386641"/>
</svg>`,
    512,
  );
}

// ---------------------------------------------------------------- line art and flat colour from npm
/**
 * Line art: a lucide-static outline icon drawn with a thinned stroke so its lines come out `strokePx`
 * wide at `size` px, in `color`, on opaque white or on transparency.
 */
export function lineArt(
  iconSvg: string,
  size: number,
  strokePx: number,
  color: string,
  opaque: boolean,
): Rgba {
  const vb = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(iconSvg);
  const units = vb ? Number(vb[1]) : 24;
  const width = ((strokePx * units) / size).toFixed(4);
  const svg = iconSvg
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/stroke-width="[^"]*"/, `stroke-width="${width}"`)
    .replace(/stroke="currentColor"/, `stroke="${color}"`)
    .replace(/width="24"\s+height="24"/, `width="${size}" height="${size}"`)
    .replace(
      /(<svg[^>]*>)/,
      opaque ? `$1<rect x="-1" y="-1" width="${units + 2}" height="${units + 2}" fill="#fff"/>` : "$1",
    );
  return render(svg, size);
}

/** Flat colour: an emoji SVG at `size` px on transparency. */
export function emoji(svg: string, size: number): Rgba {
  return render(svg, size);
}
