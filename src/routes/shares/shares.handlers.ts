import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../app-env";
import { getConfig } from "../../config";
import { type Db, getDb } from "../../db/client";
import type { Media, Share } from "../../db/schema";
import { ApiError } from "../../errors";
import { mediaConfig } from "../../media/config";
import { typeIcon } from "../../media/images/icons";
import { isRenderable } from "../../media/images/sources";
import {
  canonical,
  signVariant,
  type TransformParams,
  transformImage,
  variantQuery,
} from "../../media/images/transform";
import { normalizeFolder } from "../../media/names";
import { serveBlob } from "../../media/serve";
import * as access from "../../media/share-access";
import {
  errorPage,
  filePage,
  listPage,
  type PageFile,
  passwordPage,
  SHARE_PAGE_CSP,
} from "../../media/share-page";
import * as service from "../../media/shares";
import { zipSelection } from "../../media/zip";
import { clientIp, spendRateLimit } from "../../middleware/rate-limit";
import { caller } from "../../policy";
import { auditContext } from "../audit-context";
import type * as routes from "./shares.routes";

type H<R extends RouteConfig> = RouteHandler<R, AppEnv>;

const base = (token: string) => `/api/v1/shares/${token}`;
const wantsHtml = (c: Context<AppEnv>) => /\btext\/html\b/.test(c.req.header("accept") ?? "");

const htmlAnswer = (body: string, status = 200) =>
  new Response(body, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": SHARE_PAGE_CSP,
      "Cache-Control": "private, no-store",
      "Referrer-Policy": "no-referrer",
    },
  });

/** Friendly pages for the problems a person meets on a link; API clients keep problem+json. */
function asPage(error: unknown): Response {
  if (!(error instanceof ApiError)) throw error;
  const [title, message] =
    error.code === "share_expired"
      ? ["This link has expired", "Ask the person who shared it for a new link."]
      : error.code === "share_revoked"
        ? ["This link was turned off", "The person who shared it revoked it. Ask them for a new link."]
        : error.status === 404
          ? [
              "Link not found",
              "This link doesn't exist, or it was mistyped or cut short. Check it and try again.",
            ]
          : error.status === 429
            ? ["Too many requests", "Wait a minute, then try again."]
            : ["This link can't be opened", error.detail];
  return htmlAnswer(errorPage(title, message), error.status);
}

const proof = (c: Context<AppEnv>, share: Share) => ({
  cookie: getCookie(c, access.unlockCookieName(share)),
  password: c.req.header("x-share-password"),
});

/** The link's share, unlocked, or the password page (browsers) / a 401 (API clients). */
async function openUnlocked(c: Context<AppEnv>, token: string): Promise<Share | Response> {
  const share = await access.openShare(getDb(c.env.DB), c.env.AUTH_SECRET, token, c.var.clock());
  const given = proof(c, share);
  if (given.password) await spendRateLimit(c, "share-unlock", `${clientIp(c)}|${share.id}`);
  if (await access.unlocked(c.env.AUTH_SECRET, share, given)) return share;
  if (wantsHtml(c)) return htmlAnswer(passwordPage(`${base(token)}/unlock`, false), 401);
  throw access.passwordRequired();
}

const PREVIEW: TransformParams = { w: 1200, h: 1200, fit: "inside", format: "webp" };
const THUMB: TransformParams = { w: 128, h: 128, fit: "cover", format: "webp" };

async function signedImage(
  secret: string,
  token: string,
  share: Share,
  file: Media,
  params: TransformParams,
) {
  const key = canonical(params).key;
  const sig = await signVariant(secret, share.id, `${file.id}|${key}`);
  const fileParam = share.kind === "file" ? "" : `file=${file.id}&`;
  return `${base(token)}/image?${fileParam}${variantQuery(params)}&sig=${sig}`;
}

async function pageFile(
  c: Context<AppEnv>,
  token: string,
  share: Share,
  file: Media,
  params: TransformParams,
) {
  const preview = isRenderable(file)
    ? await signedImage(c.env.AUTH_SECRET, token, share, file, params)
    : `data:image/svg+xml;base64,${btoa(typeIcon(file.name, file.kind))}`;
  const download = `${base(token)}?download=1${share.kind === "file" ? "" : `&file=${file.id}`}`;
  return { name: file.name, size: file.size, mime: file.mime, preview, download } satisfies PageFile;
}

/** The share as a page: the one file's, or the list of a folder's or a selection's files. */
async function sharePage(c: Context<AppEnv>, token: string, share: Share) {
  const files = await access.sharedFiles(getDb(c.env.DB), share);
  if (share.kind === "file")
    return htmlAnswer(filePage(await pageFile(c, token, share, files[0]!, PREVIEW), share.expiresAt));
  const title =
    share.kind === "folder" ? (share.folder ?? "/").split("/").pop() || "Shared files" : "Shared files";
  const listed = await Promise.all(files.map((f) => pageFile(c, token, share, f, THUMB)));
  return htmlAnswer(listPage(title, listed, share.expiresAt, files.length ? `${base(token)}/zip` : null));
}

/** A folder's or a selection's files as JSON, each with its download URL. */
async function shareListing(db: Db, token: string, share: Share) {
  const files = await access.sharedFiles(db, share);
  const summary = await service.summarize(db, share);
  return {
    share: { kind: share.kind, name: summary.name, expiresAt: share.expiresAt },
    files: files.map((f) => ({
      id: f.id,
      name: f.name,
      size: f.size,
      mime: f.mime,
      url: `${base(token)}?download=1&file=${f.id}`,
    })),
  };
}

export const openShareHandler: H<typeof routes.openShare> = async (c) => {
  const { token } = c.req.valid("param");
  const query = c.req.valid("query");
  const html = wantsHtml(c) && !query.download;
  const db = getDb(c.env.DB);
  try {
    // Links travel to anyone: limited per client whoever is signed in, as each view is a D1 write.
    await spendRateLimit(c, "share-ip", clientIp(c));
    const opened = await openUnlocked(c, token);
    if (opened instanceof Response) return opened as never;
    const share = opened;
    const now = c.var.clock();
    if (html) {
      c.executionCtx.waitUntil(access.countAccess(db, share, "views", now));
      return (await sharePage(c, token, share)) as never;
    }
    if (share.kind !== "file" && !query.file)
      return c.json(await shareListing(db, token, share), 200) as never;
    const file = await access.sharedFile(db, share, query.file);
    const range = c.req.header("range");
    // A whole download counts (a range request resumes one).
    if (!range) c.executionCtx.waitUntil(access.countAccess(db, share, "downloads", now));
    return serveBlob(db, c.env.MEDIA, file, {
      range,
      ifNoneMatch: c.req.header("if-none-match"),
      download: true,
      cache: "private, no-store",
    }) as never;
  } catch (error) {
    if (html) return asPage(error) as never;
    throw error;
  }
};

export const unlockShareHandler: H<typeof routes.unlockShare> = async (c) => {
  const { token } = c.req.valid("param");
  const html = wantsHtml(c);
  const form = !/application\/json/.test(c.req.header("content-type") ?? "");
  try {
    const share = await access.openShare(getDb(c.env.DB), c.env.AUTH_SECRET, token, c.var.clock());
    await spendRateLimit(c, "share-unlock", `${clientIp(c)}|${share.id}`);
    const body = form
      ? await c.req.parseBody()
      : await c.req.json<{ password?: unknown }>().catch(() => ({ password: undefined }));
    const password = typeof body.password === "string" ? body.password.slice(0, 200) : "";
    if (!(await access.unlocked(c.env.AUTH_SECRET, share, { password }))) {
      if (html) return htmlAnswer(passwordPage(`${base(token)}/unlock`, true), 401) as never;
      throw new ApiError(401, "wrong_password", "That password is not right.");
    }
    if (share.passwordHash)
      setCookie(c, access.unlockCookieName(share), await access.unlockValue(c.env.AUTH_SECRET, share), {
        path: base(token),
        httpOnly: true,
        sameSite: "Lax",
        secure: new URL(c.req.url).protocol === "https:",
        maxAge: Math.max(1, Math.floor((Date.parse(share.expiresAt) - c.var.clock().getTime()) / 1000)),
      });
    return c.redirect(base(token), 303) as never;
  } catch (error) {
    if (html) return asPage(error) as never;
    throw error;
  }
};

export const shareImageHandler: H<typeof routes.shareImage> = async (c) => {
  const { token } = c.req.valid("param");
  const { file: fileId, sig, ...params } = c.req.valid("query");
  await spendRateLimit(c, "share-ip", clientIp(c));
  const opened = await openUnlocked(c, token);
  if (opened instanceof Response) return opened as never;
  const db = getDb(c.env.DB);
  const file = await access.sharedFile(db, opened, fileId);
  const expected = await signVariant(c.env.AUTH_SECRET, opened.id, `${file.id}|${canonical(params).key}`);
  if (sig.length !== expected.length || sig !== expected)
    throw new ApiError(403, "unsigned_variant", "This image size or format was not signed for this link.");
  const left = Math.max(0, Math.floor((Date.parse(opened.expiresAt) - c.var.clock().getTime()) / 1000));
  // Shared caches may keep it until the link would expire, at most an hour; never with a password.
  const cacheControl = opened.passwordHash
    ? "private, max-age=3600"
    : `public, max-age=${Math.min(3600, left)}`;
  const { response } = await transformImage(db, c.env.MEDIA, file, params, {
    ifNoneMatch: c.req.header("if-none-match"),
    cacheControl,
  });
  return response as never;
};

export const shareZipHandler: H<typeof routes.shareZip> = async (c) => {
  const { token } = c.req.valid("param");
  await spendRateLimit(c, "share-ip", clientIp(c));
  const opened = await openUnlocked(c, token);
  if (opened instanceof Response) return opened as never;
  const db = getDb(c.env.DB);
  const files = await access.sharedFiles(db, opened);
  c.executionCtx.waitUntil(access.countAccess(db, opened, "downloads", c.var.clock()));
  return (await zipSelection(
    db,
    c.env.MEDIA,
    opened.ownerId,
    files.map((f) => f.id),
    mediaConfig(c.env).zipMaxBytes,
  )) as never;
};

async function shareView(c: Context<AppEnv>, share: Share) {
  const db = getDb(c.env.DB);
  const token = await service.tokenFor(c.env.AUTH_SECRET, share.id);
  return service.publicShare(share, token, getConfig(c.env).appOrigin, await service.summarize(db, share));
}

export const createShareHandler: H<typeof routes.createShare> = async (c) => {
  const body = c.req.valid("json");
  const target: service.ShareTarget =
    "folder" in body
      ? { kind: "folder", folder: normalizeFolder(body.folder) }
      : { kind: "selection", mediaIds: body.mediaIds };
  return c.json({ share: await create(c, target, body) }, 201);
};

/** Creates a link with the deployment's default and longest lifetimes, and answers it as the owner sees it. */
async function create(
  c: Context<AppEnv>,
  target: service.ShareTarget,
  body: { expiresInSeconds?: number; password?: string },
) {
  const config = mediaConfig(c.env);
  const { share } = await service.createShare(
    getDb(c.env.DB),
    c.env.AUTH_SECRET,
    caller(c).userId,
    target,
    {
      ttlSeconds: body.expiresInSeconds ?? config.shareDefaultTtlSeconds,
      maxTtlSeconds: config.shareMaxTtlSeconds,
      password: body.password,
    },
    c.var.clock(),
    auditContext(c),
  );
  return shareView(c, share);
}

export const mySharesHandler: H<typeof routes.myShares> = async (c) => {
  const page = await service.listShares(getDb(c.env.DB), caller(c).userId, c.req.valid("query"));
  return c.json(
    { items: await Promise.all(page.items.map((s) => shareView(c, s))), nextCursor: page.nextCursor },
    200,
  );
};

export const extendShareHandler: H<typeof routes.extendShare> = async (c) => {
  const config = mediaConfig(c.env);
  const share = await service.extendShare(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("param").id,
    { ttlSeconds: c.req.valid("json").expiresInSeconds, maxTtlSeconds: config.shareMaxTtlSeconds },
    c.var.clock(),
  );
  return c.json({ share: await shareView(c, share) }, 200);
};

export const revokeMyShareHandler: H<typeof routes.revokeMyShare> = async (c) => {
  await service.revokeShare(
    getDb(c.env.DB),
    caller(c).userId,
    c.req.valid("param").id,
    c.var.clock(),
    auditContext(c),
  );
  return c.body(null, 204);
};

export const signShareImageHandler: H<typeof routes.signShareImage> = async (c) => {
  const { file: fileId, ...params } = c.req.valid("json");
  const db = getDb(c.env.DB);
  const share = await service.ownedShare(db, caller(c).userId, c.req.valid("param").id);
  const file = await access.sharedFile(db, share, fileId);
  const token = await service.tokenFor(c.env.AUTH_SECRET, share.id);
  const path = await signedImage(c.env.AUTH_SECRET, token, share, file, params);
  return c.json({ url: `${getConfig(c.env).appOrigin}${path}` }, 200);
};

export const createFileShareHandler: H<typeof routes.createFileShare> = async (c) => {
  const target = { kind: "file" as const, mediaId: c.req.valid("param").id };
  return c.json({ share: await create(c, target, c.req.valid("json")) }, 201);
};

export const fileSharesHandler: H<typeof routes.fileShares> = async (c) => {
  const page = await service.listShares(getDb(c.env.DB), caller(c).userId, {
    ...c.req.valid("query"),
    mediaId: c.req.valid("param").id,
  });
  return c.json(
    { items: await Promise.all(page.items.map((s) => shareView(c, s))), nextCursor: page.nextCursor },
    200,
  );
};

export const revokeFileShareHandler: H<typeof routes.revokeFileShare> = async (c) => {
  const { id, shareId } = c.req.valid("param");
  await service.revokeShare(getDb(c.env.DB), caller(c).userId, shareId, c.var.clock(), auditContext(c), id);
  return c.body(null, 204);
};
