// The way through an article (docs/architecture.md, The way through an article): in the review workspace,
// - jumps: the next or previous paragraph not approved (n / Shift+N), with a QA error (q / Shift+Q), with an
//   unread comment (u / Shift+U), by key or button; the paragraph gets the focus and is scrolled to, and the
//   status line (aria-live) says where the reviewer is. Jumps wrap round the article and skip hidden rows.
// - filters: status, QA, entities, comments; the other paragraphs are hidden ("Showing 5 of 36 paragraphs"),
//   and the choice is kept in the page's query string (?status=todo&qa=error…), so a reload keeps it.
// - find (/): the query is folded as the server folds Arabic (search-text.js: alef forms, ta marbuta, alef
//   maqsura, harakat, tatweel, Arabic-Indic digits) and English (case); hits in the Arabic and the English of
//   the paragraphs shown are wrapped in <mark> elements (DOM only, never markup), stepped through with
//   Enter / Shift+Enter or the buttons ("3 of 12").
// - progress: approved / edited / draft, redrawn from the article state every write and the polling return
//   (workspace.js's "mizan:article-state").
// - unread comments: opening a paragraph's comments (or jumping to it with u) marks them read on the server
//   (POST /api/v1/paragraphs/<id>/comments/read, up to the newest comment shown).
// Builds on workspace.js (window.MizanWorkspace) and the entity layer's state (QA findings, entities).
import { foldForSearch, searchHits } from "./search-text.js";
import { W, workspace, stateOf, pidOf, typingIn } from "../entities/context.js";
import { ensureRendered } from "../entities/render.js";

const way = document.querySelector("[data-way]");

const KINDS = {
  todo: { words: "not approved", test: function (row) { return row.getAttribute("data-status") !== "approved"; } },
  qa: { words: "with a QA error", test: hasQAError },
  unread: { words: "with an unread comment", test: function (row) { return unreadCount(row) > 0; } }
};
const KEYS = { n: "todo", q: "qa", u: "unread" };

function rows() { return W.rows; }
function say(message) { W.say(message); }
function positionOf(row) { return rows().indexOf(row) + 1; }
function unreadCount(row) { return parseInt(row.getAttribute("data-unread-comments"), 10) || 0; }
function findings(row) { return stateOf(pidOf(row)).qa || []; }
function hasQAError(row) {
  return !row.hasAttribute("data-overridden") && findings(row).some(function (f) { return f.severity === "error"; });
}

// Jumps ------------------------------------------------------------------------------------------------------
function jump(kind, step) {
  const all = rows();
  const test = KINDS[kind].test;
  const here = all.indexOf(W.currentRow());
  const n = all.length;
  let found = -1, wrapped = false;
  for (let i = 1; i <= n; i++) {
    const index = ((here < 0 ? (step > 0 ? -1 : 0) : here) + step * i + n * n) % n;
    const row = all[index];
    if (!row.hidden && test(row)) {
      found = index;
      wrapped = step > 0 ? index <= here : index >= here;
      break;
    }
  }
  const shown = all.filter(function (row) { return !row.hidden && test(row); }).length;
  if (found < 0) {
    say("No paragraph " + KINDS[kind].words + (filtered() ? " among those shown." : "."));
    return;
  }
  const row = all[found];
  W.focusRow(row, { start: true });
  if (kind === "unread") { openComments(row); }
  say("Paragraph " + positionOf(row) + " of " + n + ", " + KINDS[kind].words +
      (kind === "qa" ? " (" + errorCount(row) + ")" : kind === "unread" ? " (" + unreadWords(unreadCount(row)) + ", now open)" : " (" + row.getAttribute("data-status") + ")") +
      ". " + shown + " in all" + (filtered() ? " shown" : "") + (wrapped && found !== here ? "; went round the article." : found === here ? "; it is the only one." : "."));
}
function errorCount(row) {
  const count = findings(row).filter(function (f) { return f.severity === "error"; }).length;
  return count + " error" + (count > 1 ? "s" : "");
}
function unreadWords(count) { return count + " unread comment" + (count === 1 ? "" : "s"); }

// Unread comments: read once their paragraph's comments are open ---------------------------------------------
function openComments(row) {
  const details = row.querySelector("details[data-comments]");
  if (details && !details.open) { details.open = true; } // its toggle event marks them read
  else if (details) { markRead(row); }
}
function markRead(row) {
  if (!unreadCount(row)) { return; }
  const ids = Array.prototype.map.call(row.querySelectorAll("[data-comment-id]"), function (c) {
    return parseInt(c.getAttribute("data-comment-id"), 10);
  });
  if (!ids.length) { return; }
  W.request("POST", "/paragraphs/" + pidOf(row) + "/comments/read", { up_to: Math.max.apply(null, ids) })
    .then(function (result) {
      if (result.status !== 200) { return; }
      row.setAttribute("data-unread-comments", String(result.data.unread));
      const note = row.querySelector("[data-unread-note]");
      if (note && !result.data.unread) { note.remove(); }
    }, function () { /* offline: they stay unread, and are marked when opened again */ });
}

// Filters ----------------------------------------------------------------------------------------------------
const filterBox = way && way.querySelector("[data-filters]");
const selects = filterBox ? Array.prototype.slice.call(filterBox.querySelectorAll("select[data-filter]")) : [];
const TESTS = {
  status: function (row, value) {
    const status = row.getAttribute("data-status");
    return value === "todo" ? status !== "approved" : status === value;
  },
  qa: function (row, value) {
    const found = findings(row);
    if (value === "none") { return found.length === 0; }
    if (value === "any") { return found.length > 0; }
    if (value === "error") { return hasQAError(row); }
    return found.some(function (f) { return f.severity === value; });
  },
  entities: function (row, value) { return (stateOf(pidOf(row)).entities.length > 0) === (value === "yes"); },
  comments: function (row, value) {
    if (value === "unread") { return unreadCount(row) > 0; }
    return (parseInt(row.getAttribute("data-comment-count"), 10) > 0) === (value === "yes");
  }
};
function choices() {
  const chosen = {};
  selects.forEach(function (select) { if (select.value) { chosen[select.name] = select.value; } });
  return chosen;
}
function filtered() { return Object.keys(choices()).length > 0; }
function applyFilters() {
  const chosen = choices();
  let shown = 0;
  rows().forEach(function (row) {
    // A paragraph being edited stays in sight whatever the filters say: its text is not lost from view.
    const keep = row.classList.contains("editing") || Object.keys(chosen).every(function (name) {
      return TESTS[name](row, chosen[name]);
    });
    if (row.hidden === keep) { row.hidden = !keep; }
    if (keep) { shown++; }
  });
  const count = filterBox.querySelector("[data-filter-count]");
  const words = "Showing " + shown + " of " + rows().length + " paragraphs";
  if (count.textContent !== words) { count.textContent = words; }
  filterBox.querySelector('[data-action="clear-filters"]').hidden = !filtered();
}
function keepInURL() {
  const params = new URLSearchParams(location.search);
  selects.forEach(function (select) {
    if (select.value) { params.set(select.name, select.value); } else { params.delete(select.name); }
  });
  const query = findInput ? findInput.value.trim() : "";
  if (query) { params.set("find", query); } else { params.delete("find"); }
  const search = params.toString();
  history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
}
function readURL() {
  const params = new URLSearchParams(location.search);
  selects.forEach(function (select) {
    const value = params.get(select.name) || "";
    if (Array.prototype.some.call(select.options, function (o) { return o.value === value; })) { select.value = value; }
  });
  if (findInput && params.get("find")) { findInput.value = params.get("find"); }
}

// Find -------------------------------------------------------------------------------------------------------
const findBox = way && way.querySelector("[data-find]");
const findInput = findBox && findBox.querySelector("[data-find-input]");
const findCount = findBox && findBox.querySelector("[data-find-count]");
let hits = []; // each hit: {row, marks: [<mark>…]}
let at = -1;

function cellsOf(row) {
  return Array.prototype.filter.call(row.querySelectorAll("p.ar, p[data-en-text]"), function (cell) {
    return !cell.hasAttribute("data-empty");
  });
}
function clearMarks() {
  const cells = new Set();
  Array.prototype.forEach.call(workspace.querySelectorAll("mark.find-hit"), function (mark) {
    const parent = mark.parentNode;
    while (mark.firstChild) { parent.insertBefore(mark.firstChild, mark); }
    parent.removeChild(mark);
    cells.add(parent.closest("p") || parent);
  });
  cells.forEach(function (cell) { cell.normalize(); });
  hits = [];
}
// Wraps [start, end) (UTF-16 offsets of the cell's text) in <mark>s, one per text node it crosses.
function markRange(cell, start, end) {
  const marks = [];
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const pieces = [];
  let node, seen = 0;
  while ((node = walker.nextNode())) {
    const from = Math.max(start, seen), to = Math.min(end, seen + node.length);
    if (from < to) { pieces.push({ node: node, from: from - seen, to: to - seen }); }
    seen += node.length;
    if (seen >= end) { break; }
  }
  pieces.forEach(function (piece) {
    let text = piece.node;
    if (piece.from > 0) { text = text.splitText(piece.from); }
    if (piece.to - piece.from < text.length) { text.splitText(piece.to - piece.from); }
    const mark = document.createElement("mark");
    mark.className = "find-hit";
    text.parentNode.insertBefore(mark, text);
    mark.appendChild(text);
    marks.push(mark);
  });
  return marks;
}
function runFind(keepPlace) {
  const query = findInput.value;
  const previous = keepPlace && hits[at] ? { row: hits[at].row, index: at } : null;
  clearMarks();
  at = -1;
  if (foldForSearch(query).text.trim()) {
    rows().forEach(function (row) {
      if (row.hidden) { return; }
      const found = cellsOf(row).map(function (cell) { return { cell: cell, hits: searchHits(cell.textContent, query) }; })
        .filter(function (c) { return c.hits.length; });
      if (!found.length) { return; }
      ensureRendered(row); // the entity highlights first: rendering later would rebuild the cell
      cellsOf(row).forEach(function (cell) {
        searchHits(cell.textContent, query).forEach(function (hit) {
          hits.push({ row: row, marks: markRange(cell, hit[0], hit[1]) });
        });
      });
    });
  }
  watcher.takeRecords(); // our own marks are not a change to answer
  if (previous) { at = Math.min(previous.index, hits.length - 1); }
  showCount();
  if (at >= 0) { highlight(at, false); }
}
function showCount() {
  const query = findInput.value.trim();
  let words = "";
  if (query) {
    words = !hits.length ? "No match" + (filtered() ? " in the paragraphs shown" : "")
      : at < 0 ? hits.length + " match" + (hits.length > 1 ? "es" : "")
      : (at + 1) + " of " + hits.length;
  }
  if (findCount.textContent !== words) { findCount.textContent = words; }
}
function highlight(index, scroll) {
  workspace.querySelectorAll("mark.find-hit.current").forEach(function (m) { m.classList.remove("current"); });
  const hit = hits[index];
  if (!hit) { return; }
  hit.marks.forEach(function (m) { m.classList.add("current"); });
  W.setCurrent(hit.row);
  if (scroll) { hit.marks[0].scrollIntoView({ block: "center" }); }
}
function step(direction) {
  if (!findInput.value.trim()) { findInput.focus(); return; }
  if (!hits.length) { showCount(); say("No match for «" + findInput.value.trim() + "»."); return; }
  at = at < 0 ? (direction > 0 ? 0 : hits.length - 1) : (at + direction + hits.length) % hits.length;
  highlight(at, true);
  showCount();
  say("Match " + (at + 1) + " of " + hits.length + ", in paragraph " + positionOf(hits[at].row) + ".");
}

// Progress ---------------------------------------------------------------------------------------------------
const progress = way && way.querySelector("[data-progress]");
function drawProgress(counts) {
  if (!progress) { return; }
  const total = counts.total || 0;
  ["approved", "edited", "draft"].forEach(function (status) {
    const value = counts[status] || 0;
    const text = progress.querySelector("[data-progress-" + status + "]");
    if (text.textContent !== String(value)) { text.textContent = String(value); }
    progress.querySelector('[data-bar="' + status + '"]').style.width = (total ? (100 * value / total) : 0) + "%";
  });
  progress.querySelector("[data-progress-total]").textContent = String(total);
}
function countsOnPage() {
  const counts = { approved: 0, edited: 0, draft: 0, total: rows().length };
  rows().forEach(function (row) { const s = row.getAttribute("data-status"); if (s in counts) { counts[s]++; } });
  return counts;
}

// Watching the page: statuses, QA, entities and the English change under us ------------------------------------
let pending = null;
function changed(records) {
  if (!records.length) { return; }
  // A cell rebuilt (an entity drawn, the English saved) loses or may gain hits; a row merely drawn as it
  // scrolls into view has none of ours to lose, unless the query is in it.
  const query = findInput.value;
  const textChanged = !!query.trim() && records.some(function (r) {
    const cell = r.type === "childList" && r.target.closest && r.target.closest("p.ar, p[data-en-text]");
    if (!cell) { return false; }
    const row = cell.closest("[data-paragraph-id]");
    return hits.some(function (hit) { return hit.row === row; }) || searchHits(cell.textContent, query).length > 0;
  });
  if (pending) { clearTimeout(pending.timer); }
  const redoFind = (pending && pending.redoFind) || textChanged;
  pending = { redoFind: redoFind, timer: setTimeout(function () {
    pending = null;
    applyFilters();
    if (redoFind && findInput.value.trim()) { runFind(true); }
  }, 60) };
}
const watcher = new MutationObserver(changed);

function start() {
  if (!way || !W) { return; }
  readURL();
  applyFilters();
  drawProgress(countsOnPage());
  if (findInput.value.trim()) { runFind(false); }

  way.addEventListener("click", function (event) {
    const jumpButton = event.target.closest("[data-jump]");
    if (jumpButton) { jump(jumpButton.getAttribute("data-jump"), parseInt(jumpButton.getAttribute("data-direction"), 10)); return; }
    const findButton = event.target.closest("[data-find-step]");
    if (findButton) { step(parseInt(findButton.getAttribute("data-find-step"), 10)); return; }
    if (event.target.closest('[data-action="clear-filters"]')) {
      selects.forEach(function (select) { select.value = ""; });
      applyFilters();
      keepInURL();
      if (findInput.value.trim()) { runFind(false); }
      say("Every paragraph is shown.");
    }
  });
  filterBox.addEventListener("change", function () {
    applyFilters();
    keepInURL();
    if (findInput.value.trim()) { runFind(false); }
  });
  let typing = null;
  findInput.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () { runFind(false); keepInURL(); }, 150);
  });
  findInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      if (typing) { clearTimeout(typing); typing = null; runFind(false); keepInURL(); }
      step(event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape") {
      event.preventDefault();
      const row = hits[at] ? hits[at].row : W.currentRow();
      if (row) { W.focusRow(row); }
    }
  });
  workspace.addEventListener("toggle", function (event) {
    const details = event.target;
    if (details.matches && details.matches("details[data-comments]") && details.open) {
      markRead(details.closest("[data-paragraph-id]"));
    }
  }, true);
  workspace.addEventListener("mizan:article-state", function (event) {
    const state = event.detail;
    if (typeof state.edited === "number") { drawProgress(state); } else { drawProgress(countsOnPage()); }
  });
  watcher.observe(workspace, { subtree: true, childList: true, attributes: true,
                               attributeFilter: ["data-status", "data-unread-comments", "data-overridden"] });
  document.addEventListener("keydown", onKey);
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.defaultPrevented) { return; }
  const target = event.target;
  if (typingIn(target)) { return; }
  if (document.querySelector("dialog[open]")) { return; }
  const key = event.key;
  if (key === "/") { event.preventDefault(); findInput.focus(); findInput.select(); return; }
  const kind = KEYS[key.toLowerCase()];
  if (kind && key.length === 1) {
    event.preventDefault();
    jump(kind, key === key.toLowerCase() ? 1 : -1);
  }
}

start();
