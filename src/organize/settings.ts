import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ConflictPolicy, organizeSettings } from "../db/organize-schema";
import { loadRules as loadCategories } from "./categories";
import { normalizeProtectedFolders } from "./protect";
import { defaultRules } from "./rules/match";
import type { OrganizeRule, RuleInput } from "./rules/types";
import { validateRules } from "./rules/validate";
import { DEFAULT_TEMPLATE, validateTemplate } from "./template";

/** A user's organizer settings (`/organize/settings`) and rules (`/organize/rules`), one row per user. */

export interface OrganizeSettings {
  template: string;
  conflict: ConflictPolicy;
  autoOrganize: boolean;
  protectedFolders: string[];
}

export const DEFAULT_SETTINGS: OrganizeSettings = {
  template: DEFAULT_TEMPLATE,
  conflict: "rename-new",
  autoOrganize: false,
  protectedFolders: [],
};

async function settingsRow(db: Db, userId: string) {
  return db.select().from(organizeSettings).where(eq(organizeSettings.userId, userId)).get();
}

export async function getSettings(db: Db, userId: string): Promise<OrganizeSettings> {
  const row = await settingsRow(db, userId);
  return row
    ? {
        template: row.template,
        conflict: row.conflict,
        autoOrganize: row.autoOrganize,
        protectedFolders: row.protectedFolders,
      }
    : DEFAULT_SETTINGS;
}

export async function putSettings(
  db: Db,
  userId: string,
  patch: Partial<OrganizeSettings>,
  now: Date,
): Promise<OrganizeSettings> {
  const current = await getSettings(db, userId);
  const next: OrganizeSettings = {
    template: patch.template !== undefined ? validateTemplate(patch.template) : current.template,
    conflict: patch.conflict ?? current.conflict,
    autoOrganize: patch.autoOrganize ?? current.autoOrganize,
    protectedFolders:
      patch.protectedFolders !== undefined
        ? normalizeProtectedFolders(patch.protectedFolders)
        : current.protectedFolders,
  };
  const updatedAt = now.toISOString();
  await db
    .insert(organizeSettings)
    .values({ userId, ...next, updatedAt })
    .onConflictDoUpdate({ target: organizeSettings.userId, set: { ...next, updatedAt } });
  return next;
}

export interface RuleList {
  rules: OrganizeRule[];
  /** True while the user has stored no rules of their own: `rules` is the default set. */
  isDefault: boolean;
  /** The default set (one rule per category), for "reset to defaults". */
  defaults: OrganizeRule[];
}

/** The rules a plan uses: the user's own, or the default set built from their categories. */
export async function getRules(db: Db, userId: string): Promise<RuleList> {
  const [row, categories] = await Promise.all([settingsRow(db, userId), loadCategories(db, userId)]);
  const defaults = defaultRules(categories);
  const own = row?.rules as OrganizeRule[] | null | undefined;
  return own ? { rules: own, isDefault: false, defaults } : { rules: defaults, isDefault: true, defaults };
}

export async function putRules(db: Db, userId: string, input: RuleInput[], now: Date): Promise<RuleList> {
  const categories = await loadCategories(db, userId);
  const rules = validateRules(input);
  const current = await getSettings(db, userId);
  const updatedAt = now.toISOString();
  await db
    .insert(organizeSettings)
    .values({ userId, ...current, rules, updatedAt })
    .onConflictDoUpdate({ target: organizeSettings.userId, set: { rules, updatedAt } });
  return { rules, isDefault: false, defaults: defaultRules(categories) };
}
