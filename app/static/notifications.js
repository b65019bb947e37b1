// The bell in the header of every logged-in page (templates/base.html; docs/architecture.md, Notifications):
// the unread count, a list that opens under it (a disclosure: Escape closes it and gives the focus back to
// the bell), mark one or all as read. It asks the API again every 30 s while the page is visible, and at once
// when the page becomes visible again. User text (titles, names) reaches the DOM through textContent only.

const POLL_MS = 30000;
const root = document.querySelector(".notifications");
const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
const SAY = {
  assigned: (who) => (who ? `${who} assigned you to review` : "You were assigned to review"),
  submitted: (who) => `${who || "Someone"} submitted for approval`,
  changes_requested: (who) => `${who || "Someone"} sent back to you with changes to make`,
  approved: (who) => `${who || "Someone"} approved`,
  mention: (who) => `${who || "Someone"} mentioned you in a comment on`,
};
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];

if (root) {
  const bell = root.querySelector(".bell");
  const count = root.querySelector(".bell-count");
  const panel = root.querySelector(".notification-panel");
  const list = root.querySelector(".notification-list");
  const empty = root.querySelector(".notification-empty");
  const markAll = root.querySelector(".mark-all");
  const status = root.querySelector(".notification-status");
  let timer = null;

  const isOpen = () => bell.getAttribute("aria-expanded") === "true";

  function showUnread(unread) {
    bell.setAttribute("aria-label", `Notifications, ${unread} unread`);
    count.textContent = String(unread);
    count.hidden = unread === 0;
    markAll.hidden = unread === 0;
  }

  function when(iso) {
    const date = new Date(iso);
    const time = document.createElement("time");
    time.dateTime = date.toISOString();
    const pad = (n) => String(n).padStart(2, "0");
    time.textContent = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, `
      + `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`;
    return time;
  }

  function item(notification) {
    const li = document.createElement("li");
    li.className = "notification" + (notification.read ? "" : " unread");
    li.dataset.notificationId = String(notification.id);
    const link = document.createElement("a");
    link.href = root.dataset.articleUrl + notification.article_id + (notification.kind === "mention" ? "#comments" : "");
    const what = document.createElement("span");
    what.textContent = SAY[notification.kind](notification.actor) + ": ";
    const title = document.createElement("span");
    title.lang = "ar";
    title.dir = "rtl";
    title.textContent = notification.article_title;
    link.append(what, title);
    link.addEventListener("click", () => {
      if (!notification.read) markRead({ ids: [notification.id] }, true);
    });
    const meta = document.createElement("div");
    meta.className = "notification-meta";
    meta.append(when(notification.created_at));
    if (!notification.read) {
      const unreadWord = document.createElement("span");
      unreadWord.className = "visually-hidden";
      unreadWord.textContent = " (unread)";
      link.append(unreadWord);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = "Mark as read";
      button.addEventListener("click", () => markRead({ ids: [notification.id] }).then(() => {
        // The list is drawn again: the focus goes to the same notification's link, now read.
        const again = list.querySelector(`[data-notification-id="${notification.id}"] a`);
        (again || bell).focus();
      }));
      meta.append(" ", button);
    }
    li.append(link, meta);
    return li;
  }

  // The list is drawn again after each answer: a person tabbing through it keeps their place (the same
  // notification's link or button, or its link once the button is gone), and an older answer arriving after
  // a newer one (the first load and an opening of the list, say) is dropped.
  let asked = 0;

  function redraw(notifications) {
    const active = document.activeElement;
    const within = active && list.contains(active) ? active.closest(".notification") : null;
    list.replaceChildren(...notifications.map(item));
    if (!within) return;
    const again = list.querySelector(`[data-notification-id="${within.dataset.notificationId}"]`);
    const target = again && (again.querySelector(active.tagName === "BUTTON" ? "button" : "a") || again.querySelector("a"));
    (target || bell).focus();
  }

  async function refresh() {
    const mine = ++asked;
    try {
      const response = await fetch(root.dataset.listUrl + "?limit=20", {
        credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return false;
      const body = await response.json();
      if (mine !== asked) return true; // a newer answer is on its way, or drawn already
      redraw(body.notifications);
      empty.hidden = body.notifications.length > 0;
      showUnread(body.unread);
      return true;
    } catch (error) {
      return false; // offline for a moment: the next poll tries again
    }
  }

  async function markRead(payload, keepalive = false) {
    const response = await fetch(root.dataset.readUrl, {
      method: "POST", credentials: "same-origin", keepalive,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": CSRF },
      body: JSON.stringify(payload),
    });
    if (!response.ok) {
      status.textContent = "Could not mark as read; try again.";
      return;
    }
    status.textContent = payload.all ? "All notifications marked as read." : "Marked as read.";
    const { unread } = await response.json();
    if (!(await refresh())) showUnread(unread);
  }

  function open(show) {
    bell.setAttribute("aria-expanded", show ? "true" : "false");
    panel.hidden = !show;
    if (show) refresh();
  }

  function poll() {
    clearTimeout(timer);
    timer = null;
    if (document.visibilityState !== "visible") return;
    timer = setTimeout(async () => { await refresh(); poll(); }, POLL_MS);
  }

  bell.addEventListener("click", () => open(!isOpen()));
  markAll.addEventListener("click", () => markRead({ all: true }).then(() => bell.focus()));
  // Keys pressed in the bell and its list are theirs alone: the workspace's single-key shortcuts (a: approve)
  // listen on the document and must not act on a paragraph while the focus is here.
  root.addEventListener("keydown", (event) => {
    event.stopPropagation();
    if (event.key === "Escape" && isOpen()) {
      open(false);
      bell.focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && !root.contains(event.target)) open(false);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
    poll();
  });
  markAll.hidden = count.hidden;
  refresh();
  poll();
}
