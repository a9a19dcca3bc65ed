/**
 * The preview of a file we can't draw: a document shape in the colour of its kind with a short
 * label (the extension when it is plain letters and digits, else the kind). Only our own text goes
 * into the SVG, escaped; the label is limited to [A-Z0-9].
 */
const COLORS: Record<string, string> = {
  image: "#0f766e",
  video: "#7c3aed",
  audio: "#c2410c",
  document: "#1d4ed8",
  archive: "#a16207",
  text: "#475569",
  other: "#64748b",
};

export function iconLabel(name: string, kind: string): string {
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toUpperCase() : "";
  return /^[A-Z0-9]{1,4}$/.test(ext) ? ext : kind.toUpperCase().slice(0, 5);
}

export function typeIcon(name: string, kind: string): string {
  const color = COLORS[kind] ?? COLORS.other!;
  const label = iconLabel(name, kind).replace(/[^A-Z0-9]/g, "");
  const size = label.length <= 3 ? 44 : 34;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256"><path d="M64 24h92l52 52v148a8 8 0 0 1-8 8H64a8 8 0 0 1-8-8V32a8 8 0 0 1 8-8z" fill="#f8fafc" stroke="${color}" stroke-width="8"/><path d="M156 24v44a8 8 0 0 0 8 8h44" fill="none" stroke="${color}" stroke-width="8"/><rect x="40" y="130" width="152" height="64" rx="10" fill="${color}"/><text x="116" y="176" font-family="system-ui,sans-serif" font-size="${size}" font-weight="700" fill="#fff" text-anchor="middle">${label}</text></svg>`;
}
