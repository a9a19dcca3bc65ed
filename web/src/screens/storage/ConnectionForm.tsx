import { useState } from "preact/hooks";
import { call, type StorageConnection, type StorageConnectionInput } from "../../api";
import { showFormError, TextField } from "../../ui";

const EMPTY: StorageConnectionInput = {
  endpoint: "",
  region: "",
  bucket: "",
  prefix: "",
  accessKeyId: "",
  secretAccessKey: "",
};

/** What each required field needs, said before a request is sent. */
const REQUIRED: Partial<Record<keyof StorageConnectionInput, string>> = {
  endpoint: "The store's S3 API address, e.g. https://s3.eu-central-1.amazonaws.com.",
  region: "The bucket's region (auto for Cloudflare R2).",
  bucket: "The bucket's name.",
  accessKeyId: "An access key that may list, read and write this bucket.",
  secretAccessKey: "The access key's secret.",
};

/**
 * Registers an S3-compatible bucket. The server checks the connection against the store before it
 * keeps it, and names the field a refusal is about (wrong key, wrong secret, no such bucket,
 * unreachable endpoint), which is shown under that input.
 */
export function ConnectionForm(props: { onAdded: (c: StorageConnection) => void; onCancel?: () => void }) {
  const [input, setInput] = useState<StorageConnectionInput>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (key: keyof StorageConnectionInput) => (value: string) => setInput({ ...input, [key]: value });

  const submit = async (e: Event) => {
    e.preventDefault();
    const trimmed = Object.fromEntries(
      Object.entries(input).map(([k, v]) => [k, k === "secretAccessKey" ? v : v.trim()]),
    ) as StorageConnectionInput;
    const local: Record<string, string> = {};
    for (const [key, message] of Object.entries(REQUIRED)) {
      if (!trimmed[key as keyof StorageConnectionInput]) local[key] = message;
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const { connection } = await call<{ connection: StorageConnection }>("createStorageConnection", {
        body: trimmed,
      });
      setInput(EMPTY);
      props.onAdded(connection);
    } catch (err) {
      showFormError(err, setErrors);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="storage-form" onSubmit={submit} noValidate aria-label="Add a storage connection">
      <TextField
        label="Endpoint"
        type="url"
        placeholder="https://s3.eu-central-1.amazonaws.com"
        error={errors.endpoint}
        value={input.endpoint}
        onValue={set("endpoint")}
      />
      <TextField
        label="Region"
        placeholder="eu-central-1"
        error={errors.region}
        value={input.region}
        onValue={set("region")}
      />
      <TextField label="Bucket" error={errors.bucket} value={input.bucket} onValue={set("bucket")} />
      <TextField
        label="Prefix (optional)"
        placeholder="photos/"
        hint="Everything this connection does stays under it."
        error={errors.prefix}
        value={input.prefix}
        onValue={set("prefix")}
      />
      <TextField
        label="Access key ID"
        autocomplete="off"
        spellcheck={false}
        error={errors.accessKeyId}
        value={input.accessKeyId}
        onValue={set("accessKeyId")}
      />
      <TextField
        label="Secret access key"
        type="password"
        autocomplete="new-password"
        hint="Stored encrypted; never shown again."
        error={errors.secretAccessKey}
        value={input.secretAccessKey}
        onValue={set("secretAccessKey")}
      />
      <div class="btn-row storage-form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy} aria-busy={busy}>
          {busy ? "Checking the bucket…" : "Check and add"}
        </button>
        {props.onCancel ? (
          <button type="button" class="btn" onClick={props.onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
