import { createRouter } from "../openapi";
import * as handlers from "./announcements.handlers";
import * as routes from "./announcements.routes";

export const announcementsRouter = createRouter()
  .openapi(routes.createAnnouncement, handlers.createAnnouncementHandler)
  .openapi(routes.listAdminAnnouncements, handlers.listAdminAnnouncementsHandler)
  .openapi(routes.updateAnnouncement, handlers.updateAnnouncementHandler)
  .openapi(routes.deleteAnnouncement, handlers.deleteAnnouncementHandler)
  .openapi(routes.activeAnnouncements, handlers.activeAnnouncementsHandler)
  .openapi(routes.dismissAnnouncement, handlers.dismissAnnouncementHandler);
