// The translation memory in the review workspace (docs/architecture.md, Translation memory: the page side).
// - Matches: each row's "Memory matches" panel (a <details>) is filled from GET /paragraphs/<id>/matches
//   when the row becomes the current paragraph (workspace.js's "mizan:current") or its panel is opened, once
//   per paragraph (cached for the page's life): never one request per row at load. Each match shows its
//   percentage, scope (whole paragraph / sentence), origin (an approved paragraph / an imported memory's
//   name), the Arabic difference from the part of this paragraph it covers (diff.js, word by word: <del>
//   this paragraph's words, <ins> the match's), its English, and an Insert button; the key i inserts the
//   best match of the current paragraph. workspace.js (insertFromMemory) saves it with origin "tm" if unchanged.
// - 100% matches: one GET /articles/<id>/exact-matches at load puts a badge in words on those rows.
// - Concordance: the "Search the memory" dialog (key s, the button under the find box, the label palette's
//   button, s with the word cursor) runs GET /concordance on the selected or typed words; each hit is one
//   keyword-in-context line (kwic.js) with its origin and the other side's text.
// User text only through textContent.
import { wordDiff, differingWords, utf16Index } from "./diff.js";
import { kwicLine, guessLang } from "./kwic.js";

const W = window.MizanWorkspace;
const workspace = document.getElementById("workspace");
const MIN_SCORE = 0.5;
const LIMIT = 5;
const matches = new Map(); // paragraph id -> Promise of its matches

function make(tag, className, text) {
  const el = document.createElement(tag);
  if (className) { el.className = className; }
  if (text !== undefined) { el.textContent = text; }
  return el;
}
function getJSON(path) {
  return fetch(W.api + path, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) { return { status: response.status, data: data }; });
    });
}
function rowOf(element) { return element && element.closest ? element.closest("[data-paragraph-id]") : null; }
function percent(score) { return Math.floor(score * 100) + "%"; }

// Matches ------------------------------------------------------------------------------------------------
function load(row) {
  const pid = W.idOf(row);
  if (!matches.has(pid)) {
    const panel = row.querySelector("[data-tm]");
    if (panel) { panel.querySelector("[data-tm-summary]").textContent = "(looking…)"; }
    const promise = getJSON("/paragraphs/" + pid + "/matches?min_score=" + MIN_SCORE + "&limit=" + LIMIT)
      .then(function (result) {
        if (result.status !== 200) { matches.delete(pid); throw new Error(W.errorMessage(result, "No matches")); }
        return result.data.matches || [];
      });
    matches.set(pid, promise);
    promise.then(function (found) { draw(row, found); }, function (error) {
      const summary = panel && panel.querySelector("[data-tm-summary]");
      if (summary) { summary.textContent = "(" + (error.message || "the server could not be reached") + ")"; }
    });
  }
  return matches.get(pid);
}

function originWords(match) {
  return match.origin === "tm" ? "memory “" + (match.tm_name || "imported") + "”" : "approved paragraph " + match.paragraph_id;
}

function draw(row, found) {
  const panel = row.querySelector("[data-tm]");
  if (!panel) { return; }
  const summary = panel.querySelector("[data-tm-summary]");
  const body = panel.querySelector("[data-tm-body]");
  body.textContent = "";
  row.toggleAttribute("data-tm-matches", found.length > 0);
  if (!found.length) {
    summary.textContent = "(none of " + percent(MIN_SCORE) + " or more)";
    body.appendChild(make("p", "hint", "No unit of the memory is " + percent(MIN_SCORE) + " or more like this paragraph or one of its sentences."));
    return;
  }
  summary.textContent = "(" + found.length + (found.length > 1 ? " matches" : " match") + ", best " + percent(found[0].score) + ")";
  const ar = row.querySelector(".ar-cell .ar");
  const arabic = ar ? ar.textContent : "";
  const list = make("ol", "tm-matches");
  found.forEach(function (match, index) {
    const item = make("li", "tm-match");
    item.setAttribute("data-tm-match", String(index));
    const head = make("p", "tm-head");
    head.appendChild(make("strong", "tm-score", percent(match.score)));
    head.appendChild(document.createTextNode(" · " + (match.scope === "sentence" ? "a sentence" : "the whole paragraph") +
      " · from " + originWords(match)));
    item.appendChild(head);
    const here = arabic.slice(utf16Index(arabic, match.ar_start), utf16Index(arabic, match.ar_end));
    const ops = wordDiff(here, match.ar);
    const diff = make("p", "tm-ar");
    diff.dir = "rtl";
    diff.lang = "ar";
    ops.forEach(function (part, at) {
      if (at > 0) { diff.appendChild(document.createTextNode(" ")); }
      if (part.op === "same") { diff.appendChild(document.createTextNode(part.text)); return; }
      const mark = make(part.op === "match" ? "ins" : "del", "tm-diff tm-diff-" + part.op, part.text);
      diff.appendChild(mark);
    });
    item.appendChild(diff);
    const count = differingWords(ops);
    item.appendChild(make("p", "tm-diff-words", count.here + count.match === 0 ? "Same Arabic (after normalisation)." :
      "Differs: " + count.match + " word" + (count.match === 1 ? "" : "s") + " of the match underlined, " + count.here +
      " word" + (count.here === 1 ? "" : "s") + " of this paragraph struck through."));
    const en = make("p", "tm-en", match.en);
    en.dir = "ltr";
    en.lang = "en";
    item.appendChild(en);
    if (W.editable) {
      const insert = make("button", "button small", "Insert");
      insert.type = "button";
      insert.setAttribute("data-tm-insert", String(index));
      insert.appendChild(make("span", "visually-hidden", " the English of this " + percent(match.score) + " match"));
      if (index === 0) { insert.appendChild(document.createTextNode(" ")); insert.appendChild(make("kbd", null, "i")); }
      item.appendChild(insert);
    }
    list.appendChild(item);
  });
  body.appendChild(list);
}

function insert(row, index) {
  if (!W.editable) { W.say("This article is read only for you now."); return; }
  load(row).then(function (found) {
    const match = found[index];
    if (!match) { W.say("No memory match for this paragraph."); return; }
    W.insertFromMemory(row, match.en);
    W.say("Inserted the English of the " + percent(match.score) + " match from " + originWords(match) +
          ": save it as it is to mark it as from the memory.");
  }, function (error) { W.say(error.message); });
}

function becameCurrent(row) {
  load(row).then(function (found) {
    const panel = row.querySelector("[data-tm]");
    if (panel && found.length && !panel.hasAttribute("data-closed-by-user")) { panel.open = true; }
  }, function () { /* said in the summary */ });
}

// 100% matches -------------------------------------------------------------------------------------------
function exactBadges() {
  const article = workspace.getAttribute("data-article-id");
  getJSON("/articles/" + article + "/exact-matches").then(function (result) {
    if (result.status !== 200) { return; }
    (result.data.paragraph_ids || []).forEach(function (pid) {
      const row = document.getElementById("p-" + pid);
      if (!row || row.querySelector("[data-tm-exact]")) { return; }
      const badge = make("span", "tm-exact", "100% memory match");
      badge.setAttribute("data-tm-exact", "");
      row.querySelector(".pos").appendChild(badge);
    });
  }, function () { /* no badges: nothing else depends on them */ });
}

// Concordance --------------------------------------------------------------------------------------------
const dialog = document.querySelector("[data-memory-dialog]");
const form = dialog && dialog.querySelector("[data-memory-form]");
const queryInput = dialog && dialog.querySelector("[data-memory-q]");
const langSelect = dialog && dialog.querySelector("[data-memory-lang]");
const totalLine = dialog && dialog.querySelector("[data-memory-total]");
const hitList = dialog && dialog.querySelector("[data-memory-hits]");
let lastSelection = null; // {text, lang}: the last words selected in an Arabic or English cell
let searchSerial = 0;
let returnFocus = null;

function selectionInCell() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) { return null; }
  const node = selection.anchorNode;
  const element = node && (node.nodeType === 1 ? node : node.parentElement);
  const cell = element && element.closest(".ar-cell .ar, .en-cell [data-en-text], .en-cell [data-machine-text]");
  const text = selection.toString().trim();
  if (!cell || !workspace.contains(cell) || !text) { return null; }
  return { text: text, lang: cell.closest(".ar-cell") ? "ar" : "en" };
}

function openSearch(text, lang) {
  if (!dialog || !dialog.showModal) { return; }
  returnFocus = document.activeElement;
  if (!dialog.open) { dialog.showModal(); }
  if (text) {
    queryInput.value = text.slice(0, 500);
    langSelect.value = lang || ""; // the side the words were selected in
    langSelect.removeAttribute("data-chosen");
    search();
  }
  queryInput.focus();
  queryInput.select();
}

function search() {
  const q = queryInput.value.trim();
  if (!q) { totalLine.textContent = "Type the words to look for."; return; }
  const lang = langSelect.value || guessLang(q);
  const serial = ++searchSerial;
  totalLine.textContent = "Searching…";
  getJSON("/concordance?q=" + encodeURIComponent(q) + "&lang=" + lang + "&limit=50").then(function (result) {
    if (serial !== searchSerial) { return; } // a later search answers
    hitList.textContent = "";
    if (result.status !== 200) { totalLine.textContent = W.errorMessage(result, "Not searched"); return; }
    const hits = result.data.hits || [];
    const total = result.data.total || 0;
    const side = lang === "ar" ? "Arabic" : "English";
    totalLine.textContent = total === 0 ? "No unit of the memory has “" + q + "” in its " + side + "." :
      total + (total === 1 ? " unit has" : " units have") + " “" + q + "” in the " + side +
      (hits.length < total ? "; the newest " + hits.length + " are shown." : ".");
    hits.forEach(function (hit) { hitList.appendChild(hitItem(hit, lang)); });
  }, function () { if (serial === searchSerial) { totalLine.textContent = "Not searched: the server could not be reached."; } });
}

function hitItem(hit, lang) {
  const other = lang === "ar" ? "en" : "ar";
  const item = make("li", "kwic-hit");
  const line = kwicLine(lang === "ar" ? hit.ar : hit.en, hit.spans, 60);
  const kwic = make("p", "kwic");
  kwic.dir = lang === "ar" ? "rtl" : "ltr";
  kwic.lang = lang;
  kwic.appendChild(make("span", "kwic-before", (line.cutBefore ? "… " : "") + line.before));
  const middle = make("span", "kwic-hit-text");
  line.parts.forEach(function (part) { middle.appendChild(part.hit ? make("mark", null, part.text) : document.createTextNode(part.text)); });
  kwic.appendChild(middle);
  kwic.appendChild(make("span", "kwic-after", line.after + (line.cutAfter ? " …" : "")));
  item.appendChild(kwic);
  const translation = make("p", "kwic-other", other === "ar" ? hit.ar : hit.en);
  translation.dir = other === "ar" ? "rtl" : "ltr";
  translation.lang = other;
  item.appendChild(translation);
  item.appendChild(make("p", "kwic-origin", "From " + originWords(hit)));
  return item;
}

// Events -------------------------------------------------------------------------------------------------
function start() {
  if (!W || !workspace) { return; }
  workspace.addEventListener("mizan:current", function (event) { becameCurrent(event.target); });
  workspace.addEventListener("toggle", function (event) {
    const panel = event.target;
    if (!panel.matches || !panel.matches("[data-tm]")) { return; }
    if (panel.open) { load(rowOf(panel)); panel.removeAttribute("data-closed-by-user"); }
    else { panel.setAttribute("data-closed-by-user", ""); }
  }, true);
  workspace.addEventListener("click", function (event) {
    const button = event.target.closest("[data-tm-insert]");
    if (button) { insert(rowOf(button), parseInt(button.getAttribute("data-tm-insert"), 10)); }
  });
  document.addEventListener("selectionchange", function () {
    const found = selectionInCell();
    if (found) { lastSelection = found; }
  });
  document.addEventListener("mizan:search-memory", function (event) { openSearch(event.detail.text, event.detail.lang); });
  const opener = document.querySelector("[data-memory-open]");
  if (opener) {
    opener.addEventListener("click", function () {
      const words = selectionInCell() || lastSelection;
      lastSelection = null;
      openSearch(words ? words.text : "", words ? words.lang : "");
    });
  }
  if (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
    // Words typed are searched on the side their letters say, unless the reviewer chose one.
    langSelect.addEventListener("change", function () { langSelect.toggleAttribute("data-chosen", langSelect.value !== ""); });
    queryInput.addEventListener("input", function () { if (!langSelect.hasAttribute("data-chosen")) { langSelect.value = ""; } });
    dialog.addEventListener("close", function () {
      if (returnFocus && document.contains(returnFocus)) { returnFocus.focus({ preventScroll: true }); }
    });
  }
  document.addEventListener("keydown", onKey);
  const here = W.currentRow();
  if (here) { becameCurrent(here); }
  exactBadges();
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || event.defaultPrevented) { return; }
  const target = event.target;
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) { return; }
  if (document.querySelector("dialog[open]")) { return; }
  if (event.key === "i") {
    const row = W.currentRow();
    if (row) { event.preventDefault(); insert(row, 0); }
  } else if (event.key === "s") {
    event.preventDefault();
    const words = selectionInCell();
    openSearch(words ? words.text : "", words ? words.lang : "");
  }
}

start();
