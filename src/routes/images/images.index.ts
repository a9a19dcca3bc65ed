import { createRouter } from "../openapi";
import { mediaImageHandler } from "./images.handlers";
import { mediaImage } from "./images.routes";

export const imagesRouter = createRouter().openapi(mediaImage, mediaImageHandler);
