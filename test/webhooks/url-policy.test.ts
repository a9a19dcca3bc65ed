import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/errors";
import { checkWebhookUrl } from "../../src/webhooks/url-policy";

/** SSRF: what production (ALLOW_PRIVATE_WEBHOOKS=false) refuses and admits. */
const refused = (url: string) => {
  try {
    checkWebhookUrl(url, false);
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("webhook_url_refused");
    return true;
  }
};

describe("webhook URL policy", () => {
  it.each([
    "http://hooks.example.com/x", // plain http
    "ftp://hooks.example.com/x",
    "gopher://hooks.example.com/",
    "https://localhost/x",
    "https://api.localhost/x",
    "https://printer.local/x",
    "https://metadata.internal/x",
    "https://intranet/x",
    "https://127.0.0.1/x",
    "https://127.1/x",
    "https://2130706433/x",
    "https://0x7f000001/x",
    "https://0177.0.0.1/x",
    "https://0.0.0.0/x",
    "https://10.1.2.3/x",
    "https://172.16.0.1/x",
    "https://172.31.255.255/x",
    "https://192.168.1.1/x",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/x",
    "https://224.0.0.1/x",
    "https://255.255.255.255/x",
    "https://198.18.0.1/x",
    "https://[::1]/x",
    "https://[::]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[::ffff:10.0.0.1]/x",
    "https://[64:ff9b::a9fe:a9fe]/x",
    "https://[fd00::1]/x",
    "https://[fe80::1]/x",
    "https://[ff02::1]/x",
    "https://[2001:db8::1]/x",
    "https://user:pass@hooks.example.com/x",
    "not a url",
  ])("refuses %s", (url) => {
    expect(refused(url)).toBe(true);
  });

  it.each([
    "https://hooks.example.com/edgecraft",
    "https://hooks.example.com:8443/x?y=1",
    "https://93.184.215.14/x",
    "https://172.32.0.1/x",
    "https://[2606:4700:4700::1111]/x",
    "https://[::ffff:93.184.215.14]/x",
  ])("admits %s", (url) => {
    expect(refused(url)).toBe(false);
  });

  it("admits http and local hosts only with ALLOW_PRIVATE_WEBHOOKS, and never other schemes", () => {
    expect(checkWebhookUrl("http://127.0.0.1:9999/hooks", true).port).toBe("9999");
    expect(() => checkWebhookUrl("file:///etc/passwd", true)).toThrow(ApiError);
  });
});
