/** Store requests a bucket plan, apply or rollback step keeps in flight. */
export const BUCKET_WIDTH = 8;

/** A key relative to the connection's root as the organizer's folder and name (and back: `keyOf`). */
export function placeOfKey(key: string): { folder: string; name: string } {
  const cut = key.lastIndexOf("/");
  return { folder: cut < 0 ? "/" : `/${key.slice(0, cut)}`, name: key.slice(cut + 1) };
}

export const keyOf = (folder: string, name: string) => (folder === "/" ? name : `${folder.slice(1)}/${name}`);
