import { createRouter } from "../openapi";
import * as handlers from "./categories.handlers";
import * as routes from "./categories.routes";

export const categoriesRouter = createRouter()
  .openapi(routes.listCategories, handlers.listCategoriesHandler)
  .openapi(routes.createCategory, handlers.createCategoryHandler)
  .openapi(routes.updateCategory, handlers.updateCategoryHandler)
  .openapi(routes.deleteCategory, handlers.deleteCategoryHandler);
