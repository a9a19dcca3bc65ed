import { useEffect, useState } from "preact/hooks";
import { type CreditPack, call, formatDate, type Page, type Payment } from "../api";
import { EmptyRow, ErrorBox, Link, StatusBadge, TableHead, toastError, useLoad, useSession } from "../ui";

/**
 * Credits and payments (Account → Billing). "Pay with PayPal" creates an order and sends the buyer
 * to PayPal's approval page; PayPal sends them back here with `?paid=<payment>&token=<order>`, and
 * this screen captures the order (the webhook may get there first — the credits come once either way).
 */
export function BillingScreen(props: { query: URLSearchParams }) {
  const { me, refresh } = useSession();
  const packs = useLoad(() => call<{ packs: CreditPack[] }>("packs"), []);
  const payments = useLoad(() => call<Page<Payment>>("payments", { query: { limit: 50 } }), []);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const orderId = props.query.get("token");
  const returned = props.query.get("paid");
  const cancelled = props.query.get("cancelled");
  useEffect(() => {
    if (!returned || !orderId) return;
    setBusy("capture");
    call<{ payment: Payment }>("captureOrder", { params: { orderId } })
      .then(async ({ payment }) => {
        setNotice(
          payment.status === "completed"
            ? `Payment received: ${payment.credits} credits were added to your account.`
            : `PayPal reports the payment as ${payment.status}; the credits come when it completes.`,
        );
        history.replaceState(null, "", "/account/billing");
        await refresh();
        payments.reload();
      }, toastError)
      .finally(() => setBusy(null));
  }, [returned, orderId]);

  const buy = async (pack: CreditPack) => {
    setBusy(pack.id);
    try {
      const order = await call<{ approveUrl: string }>("createOrder", { body: { pack: pack.id } });
      location.assign(order.approveUrl);
    } catch (err) {
      toastError(err);
      setBusy(null);
    }
  };

  if (!me) return null;
  return (
    <div class="page">
      <p>
        <Link href="/account">← Account</Link>
      </p>
      <h1>Credits and payments</h1>
      {notice ? (
        <div class="notice" role="status" data-testid="billing-notice">
          {notice}
        </div>
      ) : null}
      {cancelled ? <p class="muted">The payment was cancelled; nothing was charged.</p> : null}
      <section class="panel" aria-labelledby="packs-h" aria-busy={busy === "capture"}>
        <h2 id="packs-h">Buy credits</h2>
        <p>
          You have <strong data-testid="billing-credits">{me.credits}</strong> credits.
        </p>
        {!me.emailVerified ? (
          <p class="error-box" role="alert">
            Verify your email address before buying credits.
          </p>
        ) : null}
        <ErrorBox error={packs.error} />
        <ul class="packs">
          {(packs.data?.packs ?? []).map((p) => (
            <li key={p.id} class="pack">
              <strong>{p.credits} credits</strong>
              <span>
                {p.price} {p.currency}
              </span>
              <button
                type="button"
                class="btn btn-primary"
                disabled={!me.emailVerified || busy !== null}
                aria-label={`Pay ${p.price} ${p.currency} with PayPal for ${p.credits} credits`}
                onClick={() => buy(p)}
              >
                {busy === p.id ? "Opening PayPal…" : "Pay with PayPal"}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section class="panel" aria-labelledby="payments-h">
        <h2 id="payments-h">Payments</h2>
        <ErrorBox error={payments.error} />
        <div class="table-scroll">
          <table class="table" data-testid="payments">
            <TableHead columns={["Date", "Pack", "Amount", "Status", "Receipt"]} />
            <tbody>
              {(payments.data?.items ?? []).map((p) => (
                <tr key={p.id}>
                  <td>{formatDate(p.capturedAt ?? p.createdAt)}</td>
                  <td>
                    {p.pack} ({p.credits} credits)
                  </td>
                  <td>
                    {p.amount} {p.currency}
                  </td>
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td>
                    {p.receiptUrl ? (
                      <a href={p.receiptUrl} target="_blank" rel="noopener">
                        Receipt
                      </a>
                    ) : (
                      "–"
                    )}
                  </td>
                </tr>
              ))}
              {payments.data && !payments.data.items.length ? (
                <EmptyRow columns={5}>No payments yet.</EmptyRow>
              ) : null}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
