// The curation view (templates/curate/article.html; services/adjudication.py): each paragraph of a
// double-annotated article is a form of choices — the English (a's, b's, or edited), each group of entities
// or links that differ (a's or b's) — with what both annotators did alike checked already. Adjudicating a
// paragraph posts POST /api/v1/paragraphs/<id>/adjudicate; a refusal is shown beside that paragraph in the
// server's words, and nothing is lost.
//
// Keyboard first, as the review workspace: j/k move between choices, n to the next one still open, a/b take
// a's or b's, e edits the English, Enter adjudicates the paragraph (Ctrl+Enter inside the English). Keys typed
// in the English editor stay there. All text is set with textContent.
const curation = document.getElementById("curation");
const statusLine = document.getElementById("curate-status");
const API = curation ? curation.dataset.api : "";
const CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
let remaining = curation ? parseInt(curation.dataset.remaining, 10) : 0;  // paragraphs not adjudicated

function say(message) { statusLine.textContent = message; }

function choices() { return Array.from(curation.querySelectorAll(".curate-choice:not([data-agreed])")); }

function isOpen(choice) { return !choice.querySelector('input[type="radio"]:checked'); }

function focusChoice(choice) {
  const radio = choice.querySelector('input[type="radio"]:checked') || choice.querySelector('input[type="radio"]');
  (radio || choice).focus();
  choice.scrollIntoView({ block: "nearest" });
}

function currentChoice() {
  const active = document.activeElement;
  return active && active.closest ? active.closest(".curate-choice") : null;
}

function move(step) {
  const all = choices();
  if (!all.length) { return; }
  const at = all.indexOf(currentChoice());
  const next = at < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(at + step, 0), all.length - 1);
  focusChoice(all[next]);
}

function nextOpen() {
  const all = choices();
  const at = all.indexOf(currentChoice());
  const open = all.slice(at + 1).concat(all.slice(0, at + 1)).find(isOpen);
  if (open) { focusChoice(open); } else { say("No choice is open: adjudicate the paragraphs."); }
}

function choose(choice, value) {
  const radio = choice && choice.querySelector(`input[type="radio"][value="${value}"]`);
  if (!radio) { return false; }
  radio.checked = true;
  radio.focus();
  showEditor(choice);
  return true;
}

function showEditor(choice) {
  const editor = choice.querySelector(".curate-edit");
  if (!editor) { return; }
  const editing = choice.querySelector('input[value="text"]').checked;
  editor.hidden = !editing;
  if (editing) { editor.querySelector("textarea").focus(); }
}

// One more paragraph of this page adjudicated: the page links (both lists) count one fewer to adjudicate.
function countDone() {
  document.querySelectorAll('.curate-pages a[aria-current="page"]').forEach((link) => {
    const open = Math.max(parseInt(link.dataset.open, 10) - 1, 0);
    link.dataset.open = String(open);
    link.nextElementSibling.textContent = open ? `${open} to adjudicate` : "done";
  });
}

function words(value) { return value ? value.split(" ").filter(Boolean) : []; }

function request(form) {
  const english = form.querySelector('[data-choice="english"]');
  const picked = english.querySelector('input[name="english"]:checked, input[type="hidden"][name="english"]');
  const source = picked.value;
  const translation = source === "text" ? { text: form.querySelector("textarea").value } : { from: source };
  // What both did alike is sent from the layer whose English is taken (its English spans index that text).
  const layer = source === "b" ? "b" : "a";
  const entities = [];
  form.querySelectorAll('input[name="agreed"]:checked').forEach((box) => {
    entities.push(parseInt(layer === "b" ? box.dataset.b : box.value, 10));
  });
  form.querySelectorAll('[data-choice="entities"] input:checked').forEach((radio) => {
    words(radio.dataset.ids).forEach((id) => entities.push(parseInt(id, 10)));
  });
  const links = [];
  const pair = (text) => text.split("-").map((id) => parseInt(id, 10));
  form.querySelectorAll('input[name="agreed-link"]:checked').forEach((box) => {
    links.push(pair(layer === "b" ? box.dataset.b : box.value));
  });
  form.querySelectorAll('[data-choice="links"] input:checked').forEach((radio) => {
    words(radio.dataset.pairs).forEach((text) => links.push(pair(text)));
  });
  return { translation, entities: { accept: entities }, links: { accept: links } };
}

async function adjudicate(form) {
  const error = form.querySelector("[data-error]");
  error.textContent = "";
  const open = Array.from(form.querySelectorAll(".curate-choice:not([data-agreed])")).filter(isOpen);
  if (open.length) {
    error.textContent = `${open.length} ${open.length === 1 ? "choice is" : "choices are"} still open: take a's or b's first.`;
    focusChoice(open[0]);
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    const response = await fetch(`${API}/paragraphs/${form.dataset.paragraphId}/adjudicate`, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF, Accept: "application/json" },
      body: JSON.stringify(request(form)),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      error.textContent = (body.error && body.error.message) || "The paragraph could not be adjudicated.";
      say(error.textContent);
      return;
    }
    const first = !form.classList.contains("is-adjudicated");
    form.classList.add("is-adjudicated");
    form.querySelector("[data-state]").textContent = `adjudicated by ${body.adjudicated_by}`;
    remaining = body.remaining;
    if (first) { countDone(); }
    if (body.article_adjudicated) {
      say(body.article_status === "approved"
        ? "Every paragraph is adjudicated: the article is approved."
        : "Every paragraph is adjudicated: the gold goes to the article's second reviewer.");
      curation.querySelectorAll("button, input, textarea").forEach((element) => { element.disabled = true; });
      return;
    }
    const next = Array.from(curation.querySelectorAll(".curate-paragraph:not(.is-adjudicated)"))
      .find((other) => other.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_PRECEDING)
      || curation.querySelector(".curate-paragraph:not(.is-adjudicated)");
    if (!next) {  // this page is done; the others are pages away (templates/curate/article.html, page_nav)
      const page = document.querySelector('.curate-pages a[data-open]:not([data-open="0"])');
      say(`Paragraph adjudicated; this page is done. ${remaining} to go on other pages.`);
      if (page) { page.focus(); }
      return;
    }
    say(`Paragraph adjudicated. ${remaining} to go.`);
    const choice = next.querySelector(".curate-choice:not([data-agreed])");
    if (choice) { focusChoice(choice); } else { next.querySelector('button[type="submit"]').focus(); }
  } catch (failure) {
    error.textContent = "The server could not be reached; nothing was changed. Try again.";
  } finally {
    button.disabled = remaining === 0;  // once the article is adjudicated, the page is read only
  }
}

if (curation) {
  curation.addEventListener("submit", (event) => {
    event.preventDefault();
    adjudicate(event.target);
  });
  curation.addEventListener("change", (event) => {
    const choice = event.target.closest(".curate-choice");
    if (choice && event.target.type === "radio") { showEditor(choice); }
  });
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.metaKey) { return; }
    const target = event.target;
    const inEditor = target.tagName === "TEXTAREA";
    if (inEditor) {
      if (event.key === "Enter" && event.ctrlKey) {
        event.preventDefault();
        target.form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey || (target.tagName === "INPUT" && target.type !== "radio" && target.type !== "checkbox")) { return; }
    if (target.closest && target.closest(".notifications, summary")) { return; }
    const choice = currentChoice();
    const form = target.closest && target.closest(".curate-paragraph");
    let handled = true;
    if (event.key === "j") { move(1); }
    else if (event.key === "k") { move(-1); }
    else if (event.key === "n") { nextOpen(); }
    else if (event.key === "a" || event.key === "b") { handled = choose(choice, event.key); }
    else if (event.key === "e") { handled = choose(choice, "text"); }
    else if (event.key === "Enter" && form && target.tagName !== "BUTTON") { form.requestSubmit(); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });
}
