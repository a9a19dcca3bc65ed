import { createRouter } from "../openapi";
import { loginHandler, logoutHandler, refreshHandler, registerHandler } from "./auth.handlers";
import { login, logout, refresh, register } from "./auth.routes";

export const authRouter = createRouter()
  .openapi(register, registerHandler)
  .openapi(login, loginHandler)
  .openapi(refresh, refreshHandler)
  .openapi(logout, logoutHandler);
