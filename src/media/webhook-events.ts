import { and, eq } from "drizzle-orm";
import { media } from "../db/schema";
import { defineWebhookEvent, payloadString } from "../webhooks/events";
import { toPublic } from "./library";

export const mediaUploadedEvent = defineWebhookEvent({
  type: "media.uploaded",
  description:
    "A file was added to the library (any upload path, or an import); `data.media` as GET /media/{id}.",
  async describe(db, payload) {
    const id = payloadString(payload, "mediaId");
    const ownerId = payloadString(payload, "ownerId");
    if (!id || !ownerId) return null;
    const row = await db
      .select()
      .from(media)
      .where(and(eq(media.id, id), eq(media.ownerId, ownerId)))
      .get();
    return row ? { ownerId, data: { media: toPublic(row) } } : null;
  },
});
