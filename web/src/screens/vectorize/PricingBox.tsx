import type { Pricing, Quote } from "../../api";
import { Select } from "../../ui";

const LABELS: Record<Pricing, string> = {
  production: "Production: the full result",
  preview: "Preview: cheaper, from a reduced copy",
  test: "Test: free, watermarked",
};

/** The pricing choice, and (before anything is charged) the quote the user confirms or cancels. */
export function PricingBox(props: {
  pricing: Pricing;
  setPricing: (p: Pricing) => void;
  quote: Quote | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { quote } = props;
  return (
    <>
      <Select
        label="Pricing"
        value={props.pricing}
        onValue={(v) => props.setPricing(v)}
        options={(["production", "preview", "test"] as const).map((p) => ({ value: p, label: LABELS[p] }))}
      />
      {quote ? (
        <div class="quote" role="alertdialog" aria-label="Confirm the cost" data-testid="quote">
          <p>
            {quote.cost === 0 ? (
              <strong>This costs nothing</strong>
            ) : (
              <>
                This costs <strong>{quote.cost}</strong> credit{quote.cost === 1 ? "" : "s"}
              </>
            )}
            {quote.items.some((i) => i.cached) ? " (an earlier identical result is reused)" : ""}. You have{" "}
            {quote.credits}.
            {quote.formatCost ? ` Other formats than SVG: ${quote.formatCost} each, later.` : ""}
          </p>
          <div class="row">
            <button
              type="button"
              class="btn btn-primary btn-sm"
              disabled={!quote.enough}
              onClick={props.onConfirm}
            >
              {quote.enough ? "Confirm" : "Not enough credits"}
            </button>
            <button type="button" class="btn btn-sm" onClick={props.onCancel}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}
