import { type Announcement, call } from "./api";
import { Markdown } from "./markdown";
import { toastError, useLoad } from "./ui";

/** The active announcements as dismissible banners; a dismissal is stored for the user (every device). */
export function AnnouncementBanner() {
  const { data, reload } = useLoad(() => call<{ items: Announcement[] }>("announcements"), []);
  const dismiss = (a: Announcement) =>
    call("dismissAnnouncement", { params: { id: a.id } }).then(reload, toastError);
  const items = data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <div class="announcements">
      {items.map((a) => (
        <section
          key={a.id}
          class={`announcement announcement-${a.severity}`}
          role={a.severity === "critical" ? "alert" : "status"}
          aria-label={`Announcement: ${a.title}`}
          data-testid="announcement"
        >
          <div class="announcement-text">
            <strong>{a.title}</strong>
            {a.format === "markdown" ? <Markdown text={a.body} /> : <p>{a.body}</p>}
          </div>
          <button type="button" class="btn btn-sm" onClick={() => dismiss(a)}>
            Dismiss<span class="sr-only"> {a.title}</span>
          </button>
        </section>
      ))}
    </div>
  );
}
