// Suggestions: glossary terms and earlier entities the server proposes, shown
// dashed; accepted (tagged, and linked when the suggestion says to what) or
// rejected (not suggested again here) one by one or all at once.
import { W, ARTICLE, STATE, say, stateOf, pidOf, rowById, entityById } from "./context.js";
import { rendered, rerender, watch } from "./render.js";
import { createEntity, link, failed, offline } from "./api.js";

export let suggestionBar = null;
let suggestionSeq = 0;

export function initSuggestions() {
  suggestionBar = document.getElementById("suggestions-bar");
  return loadSuggestions();
}

export function loadSuggestions(onlyRow) {
  if (!ARTICLE) { return Promise.resolve(); }
  return W.request("GET", "/articles/" + ARTICLE + "/suggestions").then(function (result) {
    if (result.status !== 200 || !result.data || !Array.isArray(result.data.suggestions)) { return; } // 404: none yet
    const byRow = {};
    result.data.suggestions.forEach(function (s) {
      s.key = "s" + (++suggestionSeq);
      (byRow[s.paragraph_id] = byRow[s.paragraph_id] || []).push(s);
    });
    const pids = onlyRow ? [pidOf(onlyRow)] : Object.keys(byRow);
    if (!onlyRow) { Object.keys(STATE).forEach(function (pid) { if (!byRow[pid]) { STATE[pid].suggestions = []; } }); }
    pids.forEach(function (pid) {
      const row = rowById(pid);
      if (!row) { return; }
      stateOf(pid).suggestions = byRow[pid] || [];
      if (rendered.has(row)) { rerender(row); } else { watch(row); }
    });
    updateSuggestionBar();
  }, function () { /* no suggestions */ });
}
function allSuggestions() {
  let all = [];
  Object.keys(STATE).forEach(function (pid) { all = all.concat(STATE[pid].suggestions); });
  return all;
}
export function findSuggestion(key) {
  const all = allSuggestions();
  for (let i = 0; i < all.length; i++) { if (all[i].key === key) { return all[i]; } }
  return null;
}
function updateSuggestionBar() {
  if (!suggestionBar) { return; }
  const count = allSuggestions().length;
  suggestionBar.hidden = !count || !W.editable;
  suggestionBar.querySelector("[data-suggestion-count]").textContent =
    count + " suggested entit" + (count === 1 ? "y" : "ies") + " (dashed):";
}
function dropSuggestion(s) {
  const st = stateOf(s.paragraph_id);
  st.suggestions = st.suggestions.filter(function (x) { return x !== s; });
}
export function acceptSuggestion(s, quiet) {
  const row = rowById(s.paragraph_id);
  if (!row) { return Promise.resolve(false); }
  const st = stateOf(s.paragraph_id);
  const existing = st.entities.filter(function (e) {
    return e.lang === s.lang && e.start === s.start && e.end === s.end && e.label === s.label;
  })[0];
  const made = existing ? Promise.resolve(existing) : createEntity(row, s.lang, s.start, s.end, s.label, true);
  return made.then(function (entity) {
    if (!entity) { return false; }
    dropSuggestion(s);
    let arId = null;
    if (s.link_to && s.link_to.ar_entity_id) { arId = s.link_to.ar_entity_id; }
    else if (s.link_to && s.link_to.lang === "ar") {
      const target = st.entities.filter(function (e) {
        return e.lang === "ar" && e.start === s.link_to.start && e.end === s.link_to.end;
      }).sort(function (a, b) { return (b.label === s.label) - (a.label === s.label); })[0];
      arId = target ? target.id : null;
    }
    const ar = arId && entityById(st, arId);
    const step = ar && s.lang === "en" ? link(row, ar, entity) : Promise.resolve(true);
    return step.then(function () {
      rerender(row);
      updateSuggestionBar();
      if (!quiet) { say("Accepted " + s.label + " «" + s.text + "»" + (ar ? ", linked to «" + ar.text + "»." : ".")); }
      return true;
    });
  });
}
export function rejectSuggestion(s, quiet) {
  const row = rowById(s.paragraph_id);
  return W.request("POST", "/paragraphs/" + s.paragraph_id + "/suggestions/reject",
                   { lang: s.lang, start: s.start, end: s.end, label: s.label }).then(function (result) {
    if (result.status >= 200 && result.status < 300) {
      dropSuggestion(s);
      if (row) { rerender(row); }
      updateSuggestionBar();
      if (!quiet) { say("Rejected " + s.label + " «" + s.text + "»: it will not be suggested again here."); }
      return true;
    }
    failed(result, "Not rejected");
    return false;
  }, function () { offline(); return false; });
}
export function everySuggestion(action, verb) {
  // Arabic first, so English suggestions find the Arabic entities they link to.
  const all = allSuggestions().sort(function (a, b) { return (a.lang === "ar" ? 0 : 1) - (b.lang === "ar" ? 0 : 1); });
  let done = 0, failedCount = 0;
  say(verb + " " + all.length + " suggestions…");
  return all.reduce(function (chain, s) {
    return chain.then(function () {
      return action(s, true).then(function (ok) { if (ok) { done++; } else { failedCount++; } });
    });
  }, Promise.resolve()).then(function () {
    say(verb.replace(/ing$/, "ed") + " " + done + " suggestion" + (done === 1 ? "" : "s") +
        (failedCount ? "; " + failedCount + " could not be (see above)." : "."));
  });
}
