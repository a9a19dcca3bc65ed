import { ApiError } from "../errors";

/**
 * Where webhooks may be sent (SSRF): https to a public host name or address. Refused: other schemes,
 * credentials in the URL, `localhost` and private-use names (`.local`, `.internal`, `.home.arpa`,
 * single labels), and IP literals in loopback, private, CGNAT, link-local, multicast, documentation
 * and reserved ranges, IPv4-mapped and NAT64 IPv6 forms included (the URL parser has already turned
 * `http://2130706433/` and `0x7f.1` into dotted quads). `allowPrivate` (dev and tests) admits http
 * and every host. Host names are not resolved here — a Worker can't — so a public name that points
 * at a private address is left to the platform, which does not route Worker fetches to private
 * networks; redirects are never followed (see sender.ts).
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): URL {
  return checkPublicUrl(raw, allowPrivate, WEBHOOK_URL);
}

/** What a refused URL is called in the 422: its name for people, its field, the problem code. */
export interface UrlSubject {
  name: string;
  field: string;
  code: string;
}

const WEBHOOK_URL: UrlSubject = { name: "webhook URL", field: "url", code: "webhook_url_refused" };

/** The same rule for any address the Worker fetches for a user (webhooks, storage endpoints). */
export function checkPublicUrl(raw: string, allowPrivate: boolean, subject: UrlSubject): URL {
  const refused = (why: string) => refusal(subject, why);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused("is not an absolute URL");
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:"))
    throw refused(allowPrivate ? "must use http or https" : "must use https");
  if (url.username || url.password) throw refused("must not carry credentials");
  if (url.hash) throw refused("must not have a #fragment");
  if (allowPrivate) return url;
  const host = url.hostname.replace(/\.$/, "").toLowerCase();
  if (host.startsWith("[")) {
    if (privateIpv6(host.slice(1, -1))) throw refused("points at a private, loopback or reserved address");
    return url;
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
    if (privateIpv4(host.split(".").map(Number)))
      throw refused("points at a private, loopback or reserved address");
    return url;
  }
  if (!host.includes(".") || /(^|\.)(localhost|local|internal|home\.arpa|lan|intranet|corp)$/.test(host))
    throw refused("names a local host");
  return url;
}

const refusal = (subject: UrlSubject, why: string) =>
  new ApiError(422, subject.code, `The ${subject.name} ${why}.`, {
    errors: [{ path: subject.field, message: `The ${subject.name} ${why}.`, code: subject.code }],
  });

/** [a, b, c, d] in a range no public webhook receiver lives in. */
function privateIpv4([a, b, c]: number[]): boolean {
  if (a === undefined || b === undefined || c === undefined) return true;
  return (
    a === 0 || // "this network"
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // IETF protocol assignments, TEST-NET-1
    (a === 192 && b === 88 && c === 99) || // 6to4 relay
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    a >= 224 // multicast, reserved, broadcast
  );
}

/**
 * Expands an IPv6 literal to eight 16-bit groups. The URL parser prints every IPv6 host in
 * compressed hex (`[::ffff:127.0.0.1]` becomes `[::ffff:7f00:1]`), so no dotted tail is left here.
 */
function ipv6Groups(text: string): number[] | null {
  const [head, rest, extra] = text.split("::") as [string, string | undefined, string | undefined];
  if (extra !== undefined) return null;
  const parse = (part: string) =>
    part ? part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : -1)) : [];
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return null;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  return groups.every((g) => g >= 0) ? groups : null;
}

function privateIpv6(text: string): boolean {
  const g = ipv6Groups(text.toLowerCase());
  if (!g) return true;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const embedded = [g6 >> 8, g6 & 255, g7 >> 8, g7 & 255];
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    if (g5 === 0xffff) return privateIpv4(embedded); // IPv4-mapped
    if (g5 === 0) return true; // ::, ::1, IPv4-compatible (deprecated)
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return privateIpv4(embedded);
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard
  return false;
}
