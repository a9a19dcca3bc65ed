import { and, desc, eq, gt, isNull, lte, notExists, or, sql } from "drizzle-orm";
import type { Principal } from "../app-env";
import { type AuditContext, auditStatement } from "../audit/record";
import type { Db } from "../db/client";
import { type Announcement, announcementDismissals, announcements } from "../db/ops-schema";
import { ApiError, notFound } from "../errors";
import { newId } from "../lib/ids";
import { decodeCursor, keyset, toPage } from "../lib/pagination";
import { unsafeLink } from "./markdown";

export type AnnouncementInput = Pick<
  Announcement,
  "title" | "body" | "format" | "severity" | "audience" | "startsAt" | "endsAt"
>;

function check(input: Partial<AnnouncementInput>, current?: Announcement): void {
  const format = input.format ?? current?.format;
  const body = input.body ?? current?.body ?? "";
  const link = format === "markdown" ? unsafeLink(body) : null;
  if (link !== null)
    throw new ApiError(422, "unsafe_link", "Links may only point to http(s) or mailto addresses.", {
      errors: [{ path: "body", message: `Refused link target: ${link.slice(0, 80)}`, code: "unsafe_link" }],
    });
  const startsAt = input.startsAt ?? current?.startsAt;
  const endsAt = input.endsAt === undefined ? current?.endsAt : input.endsAt;
  if (startsAt && endsAt && endsAt <= startsAt)
    throw new ApiError(422, "invalid_window", "endsAt must be after startsAt.", {
      errors: [{ path: "endsAt", message: "endsAt must be after startsAt", code: "invalid_window" }],
    });
}

const audited = (action: string, id: string, detail: Record<string, unknown>) => ({
  action,
  subjectId: null,
  targetType: "announcement",
  targetId: id,
  detail,
});

export async function createAnnouncement(db: Db, input: AnnouncementInput, now: Date, audit: AuditContext) {
  check(input);
  const nowIso = now.toISOString();
  const row: Announcement = {
    id: newId("ann"),
    ...input,
    createdBy: audit.actorId,
    createdAt: nowIso,
    updatedAt: nowIso,
  };
  await db.batch([
    db.insert(announcements).values(row),
    auditStatement(db, audit, audited("announcement.created", row.id, { title: input.title }), nowIso),
  ]);
  return row;
}

export async function updateAnnouncement(
  db: Db,
  id: string,
  change: Partial<AnnouncementInput>,
  now: Date,
  audit: AuditContext,
) {
  const current = await db.select().from(announcements).where(eq(announcements.id, id)).get();
  if (!current) throw notFound("announcement");
  check(change, current);
  const nowIso = now.toISOString();
  const [updated] = await db.batch([
    db
      .update(announcements)
      .set({ ...change, updatedAt: nowIso })
      .where(eq(announcements.id, id))
      .returning(),
    auditStatement(db, audit, audited("announcement.updated", id, { change }), nowIso, sql`changes() = 1`),
  ]);
  if (!updated[0]) throw notFound("announcement");
  return updated[0];
}

export async function deleteAnnouncement(db: Db, id: string, now: Date, audit: AuditContext) {
  const nowIso = now.toISOString();
  const [deleted] = await db.batch([
    db.delete(announcements).where(eq(announcements.id, id)).returning({ title: announcements.title }),
    auditStatement(db, audit, audited("announcement.deleted", id, {}), nowIso, sql`changes() = 1`),
  ]);
  if (!deleted[0]) throw notFound("announcement");
}

/** Every announcement, newest start first (the admin's list). */
export async function listAnnouncements(db: Db, page: { limit: number; cursor?: string }) {
  const keys = keyset(announcements.startsAt, announcements.id, decodeCursor(page.cursor), {
    descending: true,
  });
  const rows = await db
    .select()
    .from(announcements)
    .where(keys.after)
    .orderBy(...keys.orderBy)
    .limit(page.limit + 1)
    .all();
  return toPage(rows, page.limit, (r) => r.startsAt);
}

/** At most this many banners at once: the newest. */
const MAX_ACTIVE = 20;

/**
 * What the banner shows the caller now: started, not ended, for their audience, and (signed in) not
 * dismissed by them. Anonymous callers get `all` announcements only.
 */
export async function activeAnnouncements(db: Db, principal: Principal | null, now: Date) {
  const nowIso = now.toISOString();
  const audience = principal?.role === "admin" ? undefined : eq(announcements.audience, "all");
  const notDismissed = principal
    ? notExists(
        db
          .select({ one: sql`1` })
          .from(announcementDismissals)
          .where(
            and(
              eq(announcementDismissals.announcementId, announcements.id),
              eq(announcementDismissals.userId, principal.userId),
            ),
          ),
      )
    : undefined;
  return db
    .select()
    .from(announcements)
    .where(
      and(
        lte(announcements.startsAt, nowIso),
        or(isNull(announcements.endsAt), gt(announcements.endsAt, nowIso)),
        audience,
        notDismissed,
      ),
    )
    .orderBy(desc(announcements.startsAt))
    .limit(MAX_ACTIVE)
    .all();
}

/** Closes a banner for this user for good; again is a no-op. 404 for an announcement they can't see. */
export async function dismissAnnouncement(db: Db, principal: Principal, id: string, now: Date) {
  const row = await db.select().from(announcements).where(eq(announcements.id, id)).get();
  if (!row || (row.audience === "admins" && principal.role !== "admin")) throw notFound("announcement");
  await db
    .insert(announcementDismissals)
    .values({ announcementId: id, userId: principal.userId, dismissedAt: now.toISOString() })
    .onConflictDoNothing();
}
