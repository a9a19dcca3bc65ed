import { createRouter } from "../openapi";
import * as handlers from "./library.handlers";
import * as routes from "./library.routes";

/** Registered before the media router: `/media/zip` must not be read as `/media/{id}`. */
export const libraryRouter = createRouter()
  .openapi(routes.emptyTrash, handlers.emptyTrashHandler)
  .openapi(routes.zipMedia, handlers.zipMediaHandler);
