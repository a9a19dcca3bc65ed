// Serves the PayPal stand-in (src/billing/paypal-standin.ts) over HTTP from Node, so a Worker run by
// `wrangler dev --var PAYPAL_API_BASE:http://127.0.0.1:<port>` talks to it as it would to PayPal.
import { createServer } from "node:http";
import { createPayPalStandIn } from "../../src/billing/paypal-standin.ts";

export async function startStandInServer(options: {
  port: number;
  clientId: string;
  clientSecret: string;
  webhookId: string;
}) {
  const base = `http://127.0.0.1:${options.port}`;
  const standIn = createPayPalStandIn({ ...options, publicBase: base });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const answer = await standIn.fetch(
      new Request(`${base}${req.url}`, { method: req.method, headers, body }),
    );
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  return { standIn, base, stop: () => server.close() };
}
