// The "too many attempts" page (login, change of password) counts down to the moment the form may be
// used again. The server's notice carries the wait in data-retry-after (seconds, as the Retry-After
// header) and already says it in words ("Please wait 5 minutes before trying again."), which is all a
// page without JavaScript shows. Here: the form's buttons wait, a visible countdown ticks (hidden from
// screen readers, which keep the server's sentence rather than hear every second), and when the time is
// up the notice — an aria-live region — says the form can be used again, and the buttons come back.

// "4:05 minutes" from a minute up, "42 seconds" (or "1 second") below.
export function formatWait(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) {
    return `${whole} second${whole === 1 ? "" : "s"}`;
  }
  const minutes = Math.floor(whole / 60);
  const rest = String(whole % 60).padStart(2, "0");
  return `${minutes}:${rest} minute${minutes === 1 && rest === "00" ? "" : "s"}`;
}

// Seconds left of a wait of `total` seconds that began at `startedAt` (milliseconds), at `now`.
export function secondsLeft(total, startedAt, now) {
  return Math.max(0, Math.ceil(total - (now - startedAt) / 1000));
}

function countDown(notice) {
  const total = Number.parseInt(notice.dataset.retryAfter, 10);
  const form = document.querySelector("form[data-lockable]");
  const sentence = notice.querySelector("[data-wait]");
  if (!Number.isFinite(total) || total <= 0 || !sentence) {
    return;
  }
  const buttons = form ? Array.from(form.querySelectorAll("button, input[type=submit]")) : [];
  buttons.forEach((button) => { button.disabled = true; });
  // The server's sentence stays for screen readers; the ticking copy is for the eyes only.
  sentence.classList.add("visually-hidden");
  const ticking = document.createElement("span");
  ticking.setAttribute("aria-hidden", "true");
  ticking.dataset.countdown = "";
  sentence.after(ticking);
  const startedAt = performance.now();

  function tick() {
    const left = secondsLeft(total, startedAt, performance.now());
    if (left > 0) {
      ticking.textContent = `${notice.dataset.reason || ""} Please wait ${formatWait(left)} before trying again.`.trim();
      window.setTimeout(tick, 1000 - ((performance.now() - startedAt) % 1000));
      return;
    }
    buttons.forEach((button) => { button.disabled = false; });
    notice.classList.remove("flash-error");
    notice.classList.add("flash-success");
    notice.dataset.over = "";
    notice.textContent = notice.dataset.overText || "You can try again now.";  // announced: a live region
  }
  tick();
}

if (typeof document !== "undefined") {
  document.querySelectorAll("[data-retry-after]").forEach(countDown);
}
