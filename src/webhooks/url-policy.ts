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
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refusal(subject, "is not an absolute URL");
  }
  const why = formRefusal(url, allowPrivate) ?? (allowPrivate ? null : hostRefusal(url));
  if (why) throw refusal(subject, why);
  return url;
}

/** What is wrong with the URL itself (scheme, credentials, fragment), if anything. */
function formRefusal(url: URL, allowPrivate: boolean): string | null {
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:"))
    return allowPrivate ? "must use http or https" : "must use https";
  if (url.username || url.password) return "must not carry credentials";
  if (url.hash) return "must not have a #fragment";
  return null;
}

/** What is wrong with where the URL points (a private address or a local name), if anything. */
function hostRefusal(url: URL): string | null {
  const host = url.hostname.replace(/\.$/, "").toLowerCase();
  const privateAddress = "points at a private, loopback or reserved address";
  if (host.startsWith("[")) return privateIpv6(host.slice(1, -1)) ? privateAddress : null;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host))
    return privateIpv4(host.split(".").map(Number)) ? privateAddress : null;
  if (!host.includes(".") || /(^|\.)(localhost|local|internal|home\.arpa|lan|intranet|corp)$/.test(host))
    return "names a local host";
  return null;
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

/** Whether groups [from, to) are all zero. */
const zeros = (g: number[], from: number, to: number) => g.slice(from, to).every((x) => x === 0);

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address. */
function embeddedIpv4(g: number[]): number[] | null {
  const mapped = zeros(g, 0, 5) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zeros(g, 2, 6);
  if (!mapped && !nat64) return null;
  const [g6, g7] = [g[6]!, g[7]!];
  return [g6 >> 8, g6 & 255, g7 >> 8, g7 & 255];
}

/** [mask, value] of the first group: unique local, link-local, multicast. */
const PRIVATE_PREFIXES: [number, number][] = [
  [0xfe00, 0xfc00],
  [0xffc0, 0xfe80],
  [0xff00, 0xff00],
];

function privateIpv6(text: string): boolean {
  const g = ipv6Groups(text.toLowerCase());
  if (!g) return true;
  const v4 = embeddedIpv4(g);
  if (v4) return privateIpv4(v4);
  if (zeros(g, 0, 6)) return true; // ::, ::1, IPv4-compatible (deprecated)
  const [g0, g1] = [g[0]!, g[1]!];
  if (PRIVATE_PREFIXES.some(([mask, value]) => (g0 & mask) === value)) return true;
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  return g0 === 0x0100 && zeros(g, 1, 4); // discard
}
