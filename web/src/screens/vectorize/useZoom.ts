import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

const MIN = 0.02;
const MAX = 16;

/**
 * Zoom of the comparison panes: "fit" (the whole image in the pane, tall ones too) until the user
 * zooms; zooming keeps the point under the pointer (ctrl/⌘ + wheel, or a pinch) or the pane's centre
 * (buttons) where it was. Every registered pane scrolls along with the one being used.
 */
export function useZoom(width: number, height: number) {
  const panes = useRef<HTMLElement[]>([]);
  const [fit, setFit] = useState(1);
  const [scale, setScale] = useState<number | null>(null);
  // the image point (px of the image) that must stay at a client position through a zoom
  const pending = useRef<{ pane: HTMLElement; x: number; y: number; cx: number; cy: number } | null>(null);
  const effective = scale ?? fit;

  // the fit scale follows the pane's size
  useEffect(() => {
    const pane = panes.current[0];
    if (!pane || !width || !height) return;
    const measure = () => {
      const w = pane.clientWidth - 2;
      const h = pane.clientHeight - 2;
      if (w > 0 && h > 0) setFit(Math.max(MIN, Math.min(w / width, h / height)));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(pane);
    return () => ro.disconnect();
  }, [width, height, panes.current.length]);

  // after a zoom: scroll so the anchored image point is back under the pointer
  useLayoutEffect(() => {
    const p = pending.current;
    if (!p) return;
    pending.current = null;
    const stage = p.pane.firstElementChild as HTMLElement | null;
    if (!stage) return;
    const r = stage.getBoundingClientRect();
    p.pane.scrollLeft += r.left + p.x * effective - p.cx;
    p.pane.scrollTop += r.top + p.y * effective - p.cy;
    for (const other of panes.current) {
      if (other === p.pane) continue;
      other.scrollLeft = p.pane.scrollLeft;
      other.scrollTop = p.pane.scrollTop;
    }
  }, [effective]);

  const zoomAt = (factor: number, pane?: HTMLElement, clientX?: number, clientY?: number) => {
    const target = pane ?? panes.current[0];
    const next = Math.min(MAX, Math.max(MIN, effective * factor));
    const stage = target?.firstElementChild as HTMLElement | null | undefined;
    if (target && stage) {
      const r = target.getBoundingClientRect();
      const cx = clientX ?? r.left + target.clientWidth / 2;
      const cy = clientY ?? r.top + target.clientHeight / 2;
      const s = stage.getBoundingClientRect();
      pending.current = { pane: target, x: (cx - s.left) / effective, y: (cy - s.top) / effective, cx, cy };
    }
    setScale(next);
  };

  return {
    scale: effective,
    isFit: scale === null,
    fit: () => setScale(null),
    actual: () => setScale(1),
    zoomIn: () => zoomAt(1.5),
    zoomOut: () => zoomAt(1 / 1.5),
    setScale: (s: number) => setScale(Math.min(MAX, Math.max(MIN, s))),
    /** ref callback for each pane */
    pane: (el: HTMLElement | null) => {
      if (el && !panes.current.includes(el)) panes.current.push(el);
      panes.current = panes.current.filter((p) => p.isConnected);
    },
    onWheel: (e: WheelEvent) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      zoomAt(Math.exp(-e.deltaY * 0.002), e.currentTarget as HTMLElement, e.clientX, e.clientY);
    },
    /** keeps the other panes scrolled like this one */
    onScroll: (e: Event) => {
      const from = e.currentTarget as HTMLElement;
      for (const p of panes.current) {
        if (p === from) continue;
        if (p.scrollLeft !== from.scrollLeft) p.scrollLeft = from.scrollLeft;
        if (p.scrollTop !== from.scrollTop) p.scrollTop = from.scrollTop;
      }
    },
  };
}
