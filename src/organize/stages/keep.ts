import type { KeepPolicy } from "../../db/organize-schema";
import { isProtected } from "../protect";
import type { SourceFile } from "../source";

/**
 * Which copy of a duplicate group is kept: copies in protected folders first, whatever the policy;
 * then `oldest` / `newest` upload, `largest-resolution` (most pixels), `shortest-path`; ties go to
 * the older upload, then the id. `protected` keeps the protected copy and, in a group without one,
 * keeps every copy (the group is only reported).
 */
export function keepOrder(keep: KeepPolicy, protectedFolders: readonly string[]) {
  const path = (m: SourceFile) => (m.folder === "/" ? 0 : m.folder.length) + 1 + m.name.length;
  const pixels = (m: SourceFile) => (m.width ?? 0) * (m.height ?? 0);
  return (a: SourceFile, b: SourceFile) => {
    const guarded = +isProtected(b.folder, protectedFolders) - +isProtected(a.folder, protectedFolders);
    if (guarded) return guarded;
    const byTime = a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
    switch (keep) {
      case "newest":
        return -byTime;
      case "largest-resolution":
        return pixels(b) - pixels(a) || byTime;
      case "shortest-path":
        return path(a) - path(b) || byTime;
      default:
        return byTime;
    }
  };
}
