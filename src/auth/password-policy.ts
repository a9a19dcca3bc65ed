import { dictionary } from "@zxcvbn-ts/language-common";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** The ~18k passwords of 8+ characters from zxcvbn's common list (shorter ones are refused anyway). */
let common: Set<string> | null = null;

export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"].filter((p) => p.length >= PASSWORD_MIN));
  return common.has(password.toLowerCase());
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters.`;
  if (length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters.`;
  if (isCommonPassword(password)) return "This password is among the most common ones; choose another.";
  if (email && password.toLowerCase() === email.toLowerCase()) return "The password must not be your email.";
  return null;
}
