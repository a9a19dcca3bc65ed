import { useState } from "preact/hooks";
import { type AdminPayment, type AdminUser, call, formatBytes, formatDate, type Page } from "../api";
import { EmptyRow, ErrorBox, StatusBadge, TableHead, TextField, toast, toastError, useLoad } from "../ui";

/** The refund form of one payment: the reason goes to the audit log with the refund. */
function RefundForm(props: { payment: AdminPayment; onDone: () => void; onCancel: () => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="row"
      aria-label={`Refund payment ${props.payment.id}`}
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          await call("adminRefundPayment", { params: { id: props.payment.id }, body: { reason } });
          toast(`Refunded ${props.payment.amount} ${props.payment.currency} through PayPal.`, "ok");
          props.onDone();
        } catch (err) {
          toastError(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      <TextField label="Reason for the refund" value={reason} onValue={setReason} required minLength={3} />
      <button type="submit" class="btn btn-danger" disabled={busy}>
        Refund {props.payment.amount} {props.payment.currency}
      </button>
      <button type="button" class="btn btn-ghost" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}

/** Admin → Payments: every payment, newest first; completed ones can be refunded in full through PayPal. */
export function AdminPayments() {
  const payments = useLoad(() => call<Page<AdminPayment>>("adminPayments", { query: { limit: 100 } }), []);
  const [refunding, setRefunding] = useState<string | null>(null);
  return (
    <section aria-labelledby="admin-payments-h">
      <h2 id="admin-payments-h">Payments</h2>
      <ErrorBox error={payments.error} />
      <div class="table-scroll">
        <table class="table" aria-busy={payments.loading} data-testid="admin-payments">
          <TableHead columns={["Date", "User", "Pack", "Amount", "Refunded", "Status"]} actions />
          <tbody>
            {(payments.data?.items ?? []).flatMap((p) => [
              <tr key={p.id}>
                <td>{formatDate(p.capturedAt ?? p.createdAt)}</td>
                <td>
                  <code>{p.userId}</code>
                </td>
                <td>
                  {p.pack} ({p.credits} credits)
                </td>
                <td>
                  {p.amount} {p.currency}
                </td>
                <td>{p.refunded}</td>
                <td>
                  <StatusBadge status={p.status} />
                </td>
                <td class="actions">
                  {p.status === "completed" || p.status === "partially_refunded" ? (
                    <button
                      type="button"
                      class="btn btn-sm"
                      aria-expanded={refunding === p.id}
                      onClick={() => setRefunding(refunding === p.id ? null : p.id)}
                    >
                      Refund…
                    </button>
                  ) : null}
                </td>
              </tr>,
              refunding === p.id ? (
                <tr key={`${p.id}-refund`}>
                  <td colSpan={7}>
                    <RefundForm
                      payment={p}
                      onCancel={() => setRefunding(null)}
                      onDone={() => {
                        setRefunding(null);
                        payments.reload();
                      }}
                    />
                  </td>
                </tr>
              ) : null,
            ])}
            {payments.data && !payments.data.items.length ? (
              <EmptyRow columns={7}>No payments yet.</EmptyRow>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/**
 * Admin → Users → "Credits & quota" for one user: grant (positive) or revoke (negative) credits
 * through the ledger, or change the storage quota; each with a reason for the audit log.
 */
export function UserCreditsAndQuota(props: { user: AdminUser }) {
  const { user } = props;
  const [amount, setAmount] = useState("");
  const [creditReason, setCreditReason] = useState("");
  const [quotaGiB, setQuotaGiB] = useState("");
  const [quotaFiles, setQuotaFiles] = useState("");
  const [quotaReason, setQuotaReason] = useState("");
  const [result, setResult] = useState<string | null>(null);

  const adjust = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await call<{ credits: number }>("adminAdjustCredits", {
        params: { id: user.id },
        body: { amount: Number(amount), reason: creditReason },
      });
      setResult(`${user.email} now has ${r.credits} credits.`);
      setAmount("");
      setCreditReason("");
    } catch (err) {
      toastError(err);
    }
  };
  const changeQuota = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await call<{ user: { quotaBytes: number; quotaFiles: number } }>("adminChangeQuota", {
        params: { id: user.id },
        body: {
          ...(quotaGiB.trim() ? { bytes: Math.round(Number(quotaGiB) * 2 ** 30) } : {}),
          ...(quotaFiles.trim() ? { files: Number(quotaFiles) } : {}),
          reason: quotaReason,
        },
      });
      setResult(
        `${user.email}'s quota is now ${formatBytes(r.user.quotaBytes)} and ${r.user.quotaFiles} files.`,
      );
      setQuotaReason("");
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <div class="admin-user-billing" data-testid="user-billing">
      <form class="row" aria-label={`Credits of ${user.email}`} onSubmit={adjust}>
        <TextField
          label="Credits (+ grant, − revoke)"
          type="number"
          step={1}
          value={amount}
          onValue={setAmount}
          required
        />
        <TextField label="Reason" value={creditReason} onValue={setCreditReason} required minLength={3} />
        <button type="submit" class="btn">
          Apply credits
        </button>
      </form>
      <form class="row" aria-label={`Quota of ${user.email}`} onSubmit={changeQuota}>
        <TextField
          label="Quota (GiB)"
          type="number"
          min={0}
          step="any"
          value={quotaGiB}
          onValue={setQuotaGiB}
        />
        <TextField
          label="Quota (files)"
          type="number"
          min={0}
          step={1}
          value={quotaFiles}
          onValue={setQuotaFiles}
        />
        <TextField label="Reason" value={quotaReason} onValue={setQuotaReason} required minLength={3} />
        <button type="submit" class="btn" disabled={!quotaGiB.trim() && !quotaFiles.trim()}>
          Change quota
        </button>
      </form>
      {result ? (
        <p role="status" class="notice">
          {result}
        </p>
      ) : null}
    </div>
  );
}
