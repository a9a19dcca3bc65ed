const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** An opaque id such as `usr_k3j9…`: a type prefix and 20 random base-36 characters (~103 bits). */
export function newId(prefix: string): string {
  const random = crypto.getRandomValues(new Uint8Array(20));
  let body = "";
  for (const b of random) body += ALPHABET[b % 36];
  return `${prefix}_${body}`;
}
