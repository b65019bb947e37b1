// Named entities in the review workspace: highlights, tagging by mouse and by
// keyboard, relabel/delete/"looks right", Arabic → English links, suggestions,
// and the QA findings of each paragraph. Builds on workspace.js
// (window.MizanWorkspace: request(), say(), the rows, the current row).
//
// Offsets. The server counts Python str indices — code points — over NFC text,
// end exclusive; the DOM counts UTF-16 code units. Each cell's text gets a model
// (its code points, a code point → UTF-16 map and the way back) and every offset
// crosses that boundary here: highlights are cut at UTF-16 offsets, selections
// are read as UTF-16 offsets, snapped, and sent as code-point offsets
// (`unit: "str"`). A character outside the BMP (𝕏, emoji) counts 1 for the
// server and 2 for the DOM; diacritics and tatweel count 1 each on both sides.
//
// Snapping a mouse selection to words (the same words the keyboard cursor
// steps through):
// - a word is a run of letters, combining marks (Arabic diacritics, U+0670),
//   digits, tatweel (U+0640), ZWNJ/ZWJ, %, ٪, ‰ and currency signs; a ".", ",",
//   "٫" or "٬" between two digits belongs to the number (28.2, ٢٨٫٢, ٢٨.2, 1,000);
// - an edge of the selection that falls inside a word moves outwards to that
//   word's edge, so diacritics and tatweel always stay with their word;
// - then spaces and punctuation at either end are trimmed (quotes, brackets,
//   «», ، ؛ ؟ . , : ; ! ? - …); inner ones stay ("Al-Assad", "U.S").
// - a selection of only spaces or punctuation tags nothing.
// A selection must lie inside one cell (the Arabic, or the saved English).
//
// Keys (also listed in the ? dialog). t / Shift+T put a word cursor in the
// Arabic / English cell of the current paragraph (j/k choose it). ArrowRight and
// ArrowLeft move to the next or previous word as seen on screen: in the
// right-to-left Arabic, ArrowLeft goes on to the NEXT word (logical +1) and
// ArrowRight back; in the English the other way round. Home/End go to the first
// or last word, Shift with any of these extends the selection. A label's hotkey
// tags the words under the cursor, Enter opens the menu of the entity under it,
// Esc (or j/k) leaves. The cursor is the browser's own selection highlight plus
// an outline on the cell; the status line (aria-live) says which words it holds.
// With the label palette open after a mouse selection, a label's hotkey tags too.
//
// Entity menu: click an entity (or Enter on it with the word cursor): relabel,
// delete, "looks right" (clears a "check" flag), and link. While the menu of an
// Arabic entity is open, clicking an English entity of the same paragraph links
// the two (and the other way round); the menu also lists the other side's
// entities as buttons, the keyboard path. Links are listed under the paragraph,
// numbered like the small numbers after the linked entities, with ✕ to remove.
//
// Rendering. A row's highlights are built when it first comes near the viewport
// (IntersectionObserver; at once on any interaction), so a 500-paragraph article
// costs nothing up front. The cell's text is split at every span boundary and
// each piece wrapped in a <span> listing the entities (data-ents) and suggestions
// (data-sugs) covering it: label colour as background, one underline per further
// entity for overlaps, dotted outline for "check", dashed outline for
// suggestions. textContent only: user text never goes through innerHTML. Label
// names (title) and link numbers (data-mark, shown by CSS ::after) are
// attributes, so a cell's textContent — what workspace.js saves — stays the text.
(function () {
  "use strict";
  var initStarted = performance.now();
  var W = window.MizanWorkspace;
  var workspace = document.getElementById("workspace");
  if (!workspace || !W) { return; }
  var ARTICLE = workspace.getAttribute("data-article-id");
  var LABELS = readJSON("labels-data", []);
  // {entities: {pid: [[id, lang, start, end, label, flagged]]}, links: {pid: [[ar id, en id]]}, qa: {pid: [...]},
  //  unchecked: [pid]} — see the article view.
  var ANNOTATIONS = readJSON("annotations-data", {});
  ["entities", "links", "qa"].forEach(function (key) { ANNOTATIONS[key] = ANNOTATIONS[key] || {}; });
  var LABEL = {};
  var HOTKEY = {};
  LABELS.forEach(function (label) {
    LABEL[label.name] = label;
    if (!label.retired && label.hotkey) { HOTKEY[label.hotkey.toLowerCase()] = label; }
  });
  var OFFERED = LABELS.filter(function (label) { return !label.retired; });
  var statusLine = document.getElementById("workspace-status");
  var say = W.say;

  function readJSON(id, fallback) {
    var el = document.getElementById(id);
    try { return el ? JSON.parse(el.textContent) : fallback; } catch (e) { return fallback; }
  }

  // Per paragraph: entities, links, QA findings, suggestions. ----------------------
  var STATE = {};
  function stateOf(pid) {
    pid = String(pid);
    if (!STATE[pid]) {
      var row = rowById(pid);
      var models = {};
      STATE[pid] = {
        entities: (ANNOTATIONS.entities[pid] || []).map(function (e) {
          var lang = e[1];
          if (!(lang in models)) { var cell = row && cellOf(row, lang); models[lang] = cell ? modelOf(cell) : null; }
          return { id: e[0], lang: lang, start: e[2], end: e[3], label: e[4], flagged: e[5],
                   text: models[lang] ? slice(models[lang], e[2], e[3]) : "" };
        }),
        links: (ANNOTATIONS.links[pid] || []).map(function (l) { return { ar_entity_id: l[0], en_entity_id: l[1] }; }),
        qa: ANNOTATIONS.qa[pid] || [],
        suggestions: []
      };
    }
    return STATE[pid];
  }
  function rowById(pid) { return document.getElementById("p-" + pid); }
  function pidOf(row) { return row.getAttribute("data-paragraph-id"); }
  function rowOf(node) { return node && node.closest ? node.closest("[data-paragraph-id]") : null; }
  function entityById(st, id) {
    for (var i = 0; i < st.entities.length; i++) { if (st.entities[i].id === id) { return st.entities[i]; } }
    return null;
  }
  function colourOf(name) { return (LABEL[name] && LABEL[name].colour) || "#7f7f7f"; }
  function tint(colour) { return /^#[0-9a-f]{6}$/i.test(colour) ? colour + "33" : "rgb(127 127 127 / .2)"; }

  // Text models: code points ↔ UTF-16 ------------------------------------------------
  function cellOf(row, lang) {
    var cell = row.querySelector(lang === "ar" ? "p.ar" : "p[data-en-text]");
    return cell && !cell.hasAttribute("data-empty") ? cell : null;
  }
  function langOfCell(cell) { return cell.classList.contains("ar") ? "ar" : "en"; }
  function modelOf(cell) {
    var text = cell.textContent;
    if (cell._mizanModel && cell._mizanModel.text === text) { return cell._mizanModel; }
    var cps = Array.from(text);
    var toU16 = new Array(cps.length + 1);
    var toCp = new Array(text.length + 1);
    var u = 0;
    for (var i = 0; i < cps.length; i++) {
      toU16[i] = u;
      toCp[u] = i;
      if (cps[i].length === 2) { toCp[u + 1] = -1; } // inside a surrogate pair
      u += cps[i].length;
    }
    toU16[cps.length] = u;
    toCp[u] = cps.length;
    cell._mizanModel = { text: text, cps: cps, toU16: toU16, toCp: toCp, tokens: null };
    return cell._mizanModel;
  }
  // A UTF-16 offset as a code point index; one inside a surrogate pair rounds out.
  function cpAt(model, u16, roundUp) {
    var cp = model.toCp[u16];
    if (cp === -1) { cp = model.toCp[u16 + (roundUp ? 1 : -1)]; }
    return cp;
  }

  // Words --------------------------------------------------------------------------
  var WORD = /[\p{L}\p{M}\p{N}\p{Sc}%٪‰\u200C\u200D]/u;
  var NUMBER_JOIN = /^[.,٫٬]$/;
  var DIGIT = /\p{Nd}/u;
  function isWord(cps, i) {
    if (i < 0 || i >= cps.length) { return false; }
    if (WORD.test(cps[i])) { return true; }
    return NUMBER_JOIN.test(cps[i]) && i > 0 && i + 1 < cps.length && DIGIT.test(cps[i - 1]) && DIGIT.test(cps[i + 1]);
  }
  function snap(model, start, end) {
    var cps = model.cps;
    if (isWord(cps, start - 1) && isWord(cps, start)) { while (start > 0 && isWord(cps, start - 1)) { start--; } }
    if (isWord(cps, end - 1) && isWord(cps, end)) { while (end < cps.length && isWord(cps, end)) { end++; } }
    while (start < end && !isWord(cps, start)) { start++; }
    while (end > start && !isWord(cps, end - 1)) { end--; }
    return end > start ? { start: start, end: end } : null;
  }
  function tokensOf(model) {
    if (model.tokens) { return model.tokens; }
    var tokens = [];
    var cps = model.cps;
    var i = 0;
    while (i < cps.length) {
      if (!isWord(cps, i)) { i++; continue; }
      var start = i;
      while (i < cps.length && isWord(cps, i)) { i++; }
      tokens.push({ start: start, end: i });
    }
    model.tokens = tokens;
    return tokens;
  }
  function slice(model, start, end) { return model.cps.slice(start, end).join(""); }

  // DOM positions ↔ UTF-16 offsets in a cell ------------------------------------------
  function u16Within(cell, node, offset) {
    var range = document.createRange();
    range.setStart(cell, 0);
    range.setEnd(node, offset);
    return range.toString().length;
  }
  function domPoint(cell, u16) {
    var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    var node, seen = 0, last = null;
    while ((node = walker.nextNode())) {
      if (seen + node.length >= u16) { return { node: node, offset: u16 - seen }; }
      seen += node.length;
      last = node;
    }
    return last ? { node: last, offset: last.length } : { node: cell, offset: 0 };
  }
  function domRange(cell, model, start, end) {
    var a = domPoint(cell, model.toU16[start]);
    var b = domPoint(cell, model.toU16[end]);
    var range = document.createRange();
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    return range;
  }
  function select(range) {
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Rendering ------------------------------------------------------------------------
  var rendered = new WeakSet();
  var renderMs = []; // performance.now() per row render, for the curious (window.MizanEntities.renderMs)

  function linkNumbers(st) {
    var marks = {};
    st.links.forEach(function (link, i) {
      [link.ar_entity_id, link.en_entity_id].forEach(function (id) { (marks[id] = marks[id] || []).push(i + 1); });
    });
    return marks;
  }

  function renderCell(cell, items) {
    var model = modelOf(cell);
    var n = model.cps.length;
    items = items.filter(function (it) { return it.start >= 0 && it.end <= n && it.end > it.start; });
    if (!items.length) {
      if (cell.childNodes.length !== 1 || cell.firstChild.nodeType !== 3) { cell.textContent = model.text; }
      return 0;
    }
    var cuts = [0, n];
    items.forEach(function (it) { cuts.push(it.start, it.end); });
    cuts.sort(function (a, b) { return a - b; });
    items.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var fragment = document.createDocumentFragment();
    var active = [];
    var next = 0;
    var spans = 0;
    for (var c = 0; c < cuts.length - 1; c++) {
      var from = cuts[c], to = cuts[c + 1];
      if (to === from) { continue; }
      active = active.filter(function (it) { return it.end > from; });
      while (next < items.length && items[next].start <= from) { active.push(items[next++]); }
      var text = model.text.slice(model.toU16[from], model.toU16[to]);
      if (!active.length) { fragment.appendChild(document.createTextNode(text)); continue; }
      fragment.appendChild(segment(text, active, to));
      spans++;
    }
    cell.textContent = "";
    cell.appendChild(fragment);
    return spans;
  }

  function segment(text, active, to) {
    var span = document.createElement("span");
    span.textContent = text;
    var entities = active.filter(function (it) { return it.kind === "entity"; });
    var suggestions = active.filter(function (it) { return it.kind === "suggestion"; });
    // The innermost (shortest) entity colours the background; every other one adds an underline.
    entities.sort(function (a, b) { return (a.end - a.start) - (b.end - b.start); });
    var classes = ["ent"];
    var titles = [];
    var marks = [];
    if (entities.length) {
      span.setAttribute("data-ents", entities.map(function (it) { return it.id; }).join(" "));
      span.style.backgroundColor = tint(colourOf(entities[0].label));
      span.style.boxShadow = entities.map(function (it, i) {
        return "inset 0 -" + (2 + 3 * i) + "px 0 " + colourOf(it.label);
      }).join(", ");
      if (entities.length > 1) { classes.push("ent-overlap"); }
      entities.forEach(function (it) {
        titles.push(it.label + (it.flagged ? " (check)" : "") + (it.marks ? " · link " + it.marks.join(",") : ""));
        if (it.flagged) { classes.push("ent-flagged"); }
        if (it.marks && it.end === to) { marks.push(it.marks.join(",")); }
      });
    }
    if (suggestions.length) {
      classes.push("ent-suggestion");
      span.setAttribute("data-sugs", suggestions.map(function (it) { return it.id; }).join(" "));
      span.style.setProperty("--suggestion", colourOf(suggestions[0].label));
      suggestions.forEach(function (it) { titles.push("suggested " + it.label + " (" + (it.source || "suggestion") + ")"); });
    }
    if (marks.length) { span.setAttribute("data-mark", marks.join(" ")); }
    span.className = classes.join(" ");
    span.title = titles.join(" + ");
    return span;
  }

  function renderRow(row) {
    var started = performance.now();
    rendered.add(row);
    var pid = pidOf(row);
    var st = stateOf(pid);
    var marks = linkNumbers(st);
    var spans = 0;
    ["ar", "en"].forEach(function (lang) {
      var cell = cellOf(row, lang);
      if (!cell) { return; }
      var items = [];
      st.entities.forEach(function (e) {
        if (e.lang === lang) {
          items.push({ kind: "entity", id: e.id, start: e.start, end: e.end, label: e.label, flagged: e.flagged,
                       marks: marks[e.id] });
        }
      });
      st.suggestions.forEach(function (s) {
        if (s.lang === lang) { items.push({ kind: "suggestion", id: s.key, start: s.start, end: s.end, label: s.label, source: s.source }); }
      });
      spans += renderCell(cell, items);
    });
    renderExtras(row, st);
    renderQA(row, st.qa);
    if (cursor && cursor.row === row) { showCursor(true); }
    var ms = performance.now() - started;
    renderMs.push(ms);
    row.setAttribute("data-entities-rendered", String(spans));
    return ms;
  }
  function ensureRendered(row) { if (row && !rendered.has(row)) { renderRow(row); } }
  function rerender(row) { if (row) { renderRow(row); } }

  // Under the paragraph: its links and its suggestions.
  function renderExtras(row, st) {
    var box = row.querySelector(".para-extras");
    var wanted = st.links.length || st.suggestions.length;
    if (!wanted) { if (box) { box.remove(); } return; }
    if (!box) {
      box = document.createElement("div");
      box.className = "para-extras";
      row.appendChild(box);
    }
    box.textContent = "";
    if (st.links.length) {
      var heading = make("p", "extras-title", "Links");
      var list = make("ul", "entity-links");
      list.setAttribute("aria-label", "Entity links of " + row.getAttribute("aria-label").toLowerCase());
      st.links.forEach(function (link, i) {
        var ar = entityById(st, link.ar_entity_id), en = entityById(st, link.en_entity_id);
        if (!ar || !en) { return; }
        var item = make("li", "entity-link");
        item.appendChild(make("span", "link-number", String(i + 1)));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(bdi(ar.text, "ar"));
        item.appendChild(document.createTextNode(" → "));
        item.appendChild(bdi(en.text, "en"));
        item.appendChild(document.createTextNode(" "));
        if (W.editable) {
          var remove = actionButton("✕", "unlink", "link-remove");
          remove.setAttribute("aria-label", "Remove link " + ar.text + " → " + en.text);
          remove.setAttribute("data-ar", ar.id);
          remove.setAttribute("data-en", en.id);
          item.appendChild(remove);
        }
        list.appendChild(item);
      });
      box.appendChild(heading);
      box.appendChild(list);
    }
    if (st.suggestions.length) {
      box.appendChild(make("p", "extras-title", "Suggestions"));
      var suggestions = make("ul", "suggestion-list");
      suggestions.setAttribute("aria-label", "Suggested entities of " + row.getAttribute("aria-label").toLowerCase());
      st.suggestions.forEach(function (s) {
        var item = make("li", "suggestion");
        item.appendChild(swatch(s.label));
        item.appendChild(document.createTextNode(s.label + " "));
        item.appendChild(bdi(s.text, s.lang));
        item.appendChild(document.createTextNode(" (" + (s.lang === "ar" ? "Arabic" : "English") +
          (s.source ? ", " + s.source : "") + ") "));
        if (W.editable) {
          item.appendChild(suggestionButton("Accept", "accept-suggestion", s));
          item.appendChild(suggestionButton("Reject", "reject-suggestion", s));
        }
        suggestions.appendChild(item);
      });
      box.appendChild(suggestions);
    }
  }
  function suggestionButton(text, action, s) {
    var b = actionButton(text, action);
    b.setAttribute("data-suggestion", s.key);
    b.setAttribute("aria-label", text + " " + s.label + " " + s.text);
    return b;
  }

  function renderQA(row, findings) {
    var box = row.querySelector("[data-qa]");
    if (!box) { return; }
    box.textContent = "";
    if (!findings || !findings.length) { return; }
    var list = make("ul", "qa-list");
    list.setAttribute("aria-label", "QA checks");
    findings.forEach(function (f) {
      var item = make("li", "qa-" + f.severity);
      item.setAttribute("data-check", f.check);
      item.appendChild(make("strong", null, f.severity === "error" ? "Error: " : f.severity === "warning" ? "Warning: " : "Note: "));
      item.appendChild(document.createTextNode(f.message));
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }
  function bdi(text, lang) {
    var el = make("bdi", null, text);
    el.lang = lang;
    el.dir = lang === "ar" ? "rtl" : "ltr";
    return el;
  }
  function swatch(label) {
    var el = make("span", "swatch");
    el.style.backgroundColor = colourOf(label);
    el.setAttribute("aria-hidden", "true");
    return el;
  }
  function actionButton(text, action, extra) {
    var b = make("button", "button small" + (extra ? " " + extra : ""), text);
    b.type = "button";
    b.setAttribute("data-ent-action", action);
    return b;
  }

  // Lazy rendering of highlights as rows come near the viewport.
  var observer = null;
  function watch(row) {
    if (rendered.has(row)) { return; }
    if (observer) { observer.observe(row); } else { renderRow(row); }
  }
  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); ensureRendered(entry.target); }
      });
    }, { rootMargin: "800px 0px" });
  }
  W.rows.forEach(watch); // rows with nothing to show are cheap: their text stays one text node

  // QA of paragraphs never checked since QA existed: the article API computes them.
  if ((ANNOTATIONS.unchecked || []).length) {
    var unchecked = {};
    ANNOTATIONS.unchecked.forEach(function (pid) { unchecked[String(pid)] = true; });
    setTimeout(function () { fetchQA(unchecked); }, 0);
  }

  // Server calls ---------------------------------------------------------------------
  function failed(result, prefix) { say(W.errorMessage(result, prefix)); }
  function offline() { say("The server could not be reached; nothing changed."); }

  function createEntity(row, lang, start, end, label) {
    var st = stateOf(pidOf(row));
    var body = { lang: lang, start: start, end: end, label: label, unit: "str" };
    if (lang === "en") {
      var revision = parseInt(row.getAttribute("data-revision"), 10);
      if (revision) { body.revision_id = revision; }
    }
    return W.request("POST", "/paragraphs/" + pidOf(row) + "/entities", body).then(function (result) {
      if (result.status === 201) {
        st.entities.push(result.data);
        rerender(row);
        refreshQA(row);
        return result.data;
      }
      failed(result, "Not tagged");
      return null;
    }, function () { offline(); return null; });
  }

  function reloadEntities(row) {
    var pid = pidOf(row);
    return W.request("GET", "/paragraphs/" + pid + "/entities").then(function (result) {
      if (result.status !== 200) { return; }
      var st = stateOf(pid);
      st.entities = result.data.entities || [];
      st.links = result.data.links || [];
      if (result.data.qa) { st.qa = result.data.qa; }
      rerender(row);
    });
  }

  // QA after a tagging change: the paragraph's findings are recomputed by the
  // server on every entity or link write; the article is read once for many changes.
  var qaPending = {};
  var qaTimer = null;
  function refreshQA(row) {
    qaPending[pidOf(row)] = true;
    clearTimeout(qaTimer);
    qaTimer = setTimeout(function () {
      var wanted = qaPending;
      qaPending = {};
      fetchQA(wanted);
    }, 400);
  }
  function fetchQA(wanted) {
    return W.request("GET", "/articles/" + ARTICLE).then(function (result) {
      if (result.status !== 200) { return; }
      (result.data.paragraphs || []).forEach(function (p) {
        if (!wanted[String(p.id)]) { return; }
        var st = stateOf(p.id);
        st.qa = p.qa || [];
        var r = rowById(p.id);
        if (r && rendered.has(r)) { renderQA(r, st.qa); }
      });
    }, function () { /* QA shows after the next change */ });
  }

  function patchEntity(row, entity, body, done) {
    return W.request("PATCH", "/entities/" + entity.id, body).then(function (result) {
      if (result.status === 200) {
        entity.label = result.data.label;
        entity.flagged = result.data.flagged;
        rerender(row);
        say(done(result.data));
        return true;
      }
      failed(result, "Not changed");
      return false;
    }, offline);
  }

  function deleteEntity(row, entity) {
    return W.request("DELETE", "/entities/" + entity.id).then(function (result) {
      if (result.status === 204) {
        var st = stateOf(pidOf(row));
        st.entities = st.entities.filter(function (e) { return e.id !== entity.id; });
        st.links = st.links.filter(function (l) { return l.ar_entity_id !== entity.id && l.en_entity_id !== entity.id; });
        rerender(row);
        refreshQA(row);
        say("Deleted " + entity.label + " «" + entity.text + "».");
        return true;
      }
      failed(result, "Not deleted");
      return false;
    }, offline);
  }

  function link(row, a, b) {
    var ar = a.lang === "ar" ? a : b, en = a.lang === "ar" ? b : a;
    if (ar.lang !== "ar" || en.lang !== "en") { say("A link goes from an Arabic entity to an English one."); return Promise.resolve(false); }
    var st = stateOf(pidOf(row));
    return W.request("POST", "/entity-links", { ar_entity_id: ar.id, en_entity_id: en.id }).then(function (result) {
      if (result.status === 201) {
        st.links.push(result.data);
        rerender(row);
        refreshQA(row);
        say("Linked «" + ar.text + "» → «" + en.text + "» (link " + st.links.length + ").");
        return true;
      }
      failed(result, "Not linked");
      return false;
    }, offline);
  }

  function unlink(row, arId, enId) {
    var st = stateOf(pidOf(row));
    return W.request("DELETE", "/entity-links", { ar_entity_id: arId, en_entity_id: enId }).then(function (result) {
      if (result.status === 204) {
        st.links = st.links.filter(function (l) { return !(l.ar_entity_id === arId && l.en_entity_id === enId); });
        rerender(row);
        refreshQA(row);
        say("Link removed.");
        return true;
      }
      failed(result, "Link not removed");
      return false;
    }, offline);
  }

  // The label palette, after a selection ----------------------------------------------
  var pending = null; // {row, cell, lang, start, end, text}
  var palette = make("div", "label-palette");
  palette.id = "label-palette";
  palette.setAttribute("role", "group");
  palette.hidden = true;
  document.body.appendChild(palette);

  function showPalette(range) {
    palette.textContent = "";
    palette.setAttribute("aria-label", "Label for " + pending.text);
    var caption = make("span", "palette-caption");
    caption.appendChild(document.createTextNode("Tag "));
    caption.appendChild(bdi(pending.text, pending.lang));
    caption.appendChild(document.createTextNode(" as"));
    palette.appendChild(caption);
    OFFERED.forEach(function (label) {
      var b = make("button", "label-button");
      b.type = "button";
      b.setAttribute("data-label", label.name);
      b.appendChild(swatch(label.name));
      b.appendChild(document.createTextNode(label.name));
      if (label.hotkey) {
        b.appendChild(document.createTextNode(" "));
        b.appendChild(make("kbd", null, label.hotkey));
      }
      palette.appendChild(b);
    });
    var close = make("button", "palette-close", "✕");
    close.type = "button";
    close.setAttribute("aria-label", "Close the labels");
    close.setAttribute("data-palette-close", "");
    palette.appendChild(close);
    palette.hidden = false;
    // Under the selection; under the whole cell for the word cursor, so the text stays readable.
    var rect = range.getBoundingClientRect();
    if (cursor) {
      var cell = cursor.cell.getBoundingClientRect();
      rect = { left: rect.left, right: rect.right, bottom: cell.bottom };
    }
    place(palette, rect, pending.lang === "ar");
  }
  function hidePalette() { palette.hidden = true; pending = null; }
  function place(box, rect, rightToLeft) {
    var width = box.offsetWidth;
    var left = rightToLeft ? rect.right - width : rect.left; // lined up with where the reading starts
    left = Math.max(8, Math.min(left, document.documentElement.clientWidth - width - 8));
    box.style.left = (left + window.scrollX) + "px";
    box.style.top = (rect.bottom + window.scrollY + 6) + "px";
  }

  function tagPending(labelName) {
    if (!pending) { return; }
    if (!W.editable) { say("This article is read only for you now."); return; }
    var p = pending;
    say("Tagging «" + p.text + "» as " + labelName + "…");
    createEntity(p.row, p.lang, p.start, p.end, labelName).then(function (entity) {
      if (!entity) { return; } // the palette stays with the selection: nothing lost
      say("Tagged «" + entity.text + "» as " + entity.label + " (" + (p.lang === "ar" ? "Arabic" : "English") +
          " " + entity.start + "–" + entity.end + ").");
      if (cursor && cursor.row === p.row) { showCursor(true); return; }
      hidePalette();
      window.getSelection().removeAllRanges();
    });
  }

  // Reading a mouse selection.
  function takeSelection() {
    if (!W.editable) { return false; } // readers select text to copy it
    var selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) { return false; }
    var range = selection.getRangeAt(0);
    var startCell = taggable(range.startContainer), endCell = taggable(range.endContainer);
    if (!startCell && !endCell) { return false; }
    if (startCell && endCell && startCell !== endCell) {
      say("Select words inside one cell: the Arabic or the English.");
      return false;
    }
    var cell = startCell || endCell;
    var row = rowOf(cell);
    if (approvedRow(row)) { say("This paragraph is approved: reopen it to change its entities."); return false; }
    var model = modelOf(cell);
    // An edge outside the cell (a triple click ends in the next block) stands for the cell's start or end.
    var a = startCell ? cpAt(model, u16Within(cell, range.startContainer, range.startOffset), false) : 0;
    var b = endCell ? cpAt(model, u16Within(cell, range.endContainer, range.endOffset), true) : model.cps.length;
    if (!rendered.has(row)) { renderRow(row); }
    var span = snap(model, Math.min(a, b), Math.max(a, b));
    if (!span) { say("Nothing to tag: the selection holds no word."); hidePalette(); return false; }
    W.setCurrent(row);
    if (cursor && cursor.cell !== cell) { leaveCursor(false); }
    pending = { row: row, cell: cell, lang: langOfCell(cell), start: span.start, end: span.end,
                text: slice(model, span.start, span.end) };
    var snapped = domRange(cell, model, span.start, span.end);
    select(snapped);
    showPalette(snapped);
    return true;
  }
  function taggable(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    var cell = el && el.closest("p.ar, p[data-en-text]");
    return cell && workspace.contains(cell) && !cell.hasAttribute("data-empty") ? cell : null;
  }

  // The keyboard word cursor -------------------------------------------------------
  var cursor = null; // {row, cell, lang, anchor, focus}
  function approvedRow(row) { return row.getAttribute("data-status") === "approved"; }
  function enterCursor(row, lang) {
    if (approvedRow(row)) { say("This paragraph is approved: reopen it to change its entities."); return; }
    ensureRendered(row);
    var cell = cellOf(row, lang);
    if (!cell) { say(lang === "en" ? "No English to tag yet." : "No Arabic here."); return; }
    var tokens = tokensOf(modelOf(cell));
    if (!tokens.length) { say("No words to tag here."); return; }
    closeMenu(false);
    if (cursor) { leaveCursor(false); }
    cursor = { row: row, cell: cell, lang: lang, anchor: 0, focus: 0 };
    cell.tabIndex = -1;
    cell.classList.add("word-cursor");
    cell.focus({ preventScroll: true });
    showCursor();
  }
  function leaveCursor(restoreFocus) {
    if (!cursor) { return; }
    var c = cursor;
    cursor = null;
    c.cell.classList.remove("word-cursor");
    c.cell.removeAttribute("tabindex");
    hidePalette();
    window.getSelection().removeAllRanges();
    if (restoreFocus !== false) { c.row.focus({ preventScroll: true }); }
  }
  function cursorSpan() {
    var tokens = tokensOf(modelOf(cursor.cell));
    var lo = Math.min(cursor.anchor, cursor.focus), hi = Math.max(cursor.anchor, cursor.focus);
    return { start: tokens[lo].start, end: tokens[hi].end, count: hi - lo + 1, at: cursor.focus + 1, of: tokens.length };
  }
  function showCursor(silent) {
    var model = modelOf(cursor.cell);
    var span = cursorSpan();
    var range = domRange(cursor.cell, model, span.start, span.end);
    select(range);
    pending = { row: cursor.row, cell: cursor.cell, lang: cursor.lang, start: span.start, end: span.end,
                text: slice(model, span.start, span.end) };
    showPalette(range);
    var rect = range.getBoundingClientRect();
    if (rect.bottom > window.innerHeight || rect.top < 0) { cursor.cell.scrollIntoView({ block: "nearest" }); }
    if (silent) { return; }
    var covering = coveringEntities(stateOf(pidOf(cursor.row)), cursor.lang, span.start, span.end);
    say("«" + pending.text + "» (word " + span.at + " of " + span.of + (span.count > 1 ? ", " + span.count + " words" : "") + ")" +
        (covering.length ? ": tagged " + covering.map(function (e) { return e.label; }).join(", ") + ", Enter for its menu" : "") + ".");
  }
  function moveCursor(delta, extend, absolute) {
    var tokens = tokensOf(modelOf(cursor.cell));
    var target = absolute !== undefined ? absolute : cursor.focus + delta;
    target = Math.max(0, Math.min(tokens.length - 1, target));
    cursor.focus = target;
    if (!extend) { cursor.anchor = target; }
    showCursor();
  }
  function coveringEntities(st, lang, start, end) {
    return st.entities.filter(function (e) { return e.lang === lang && e.start < end && e.end > start; })
      .sort(function (a, b) { return (a.end - a.start) - (b.end - b.start); });
  }

  // The entity menu ------------------------------------------------------------------
  var menu = make("div", "entity-menu");
  menu.id = "entity-menu";
  menu.setAttribute("role", "dialog");
  menu.hidden = true;
  document.body.appendChild(menu);
  var menuState = null; // {row, entities, suggestions, returnFocus}

  function openMenu(row, entities, suggestions, anchorRect, viaKeyboard) {
    hidePaletteUnlessCursor();
    var st = stateOf(pidOf(row));
    menu.textContent = "";
    menuState = { row: row, entities: entities, suggestions: suggestions,
                  returnFocus: viaKeyboard ? document.activeElement : null };
    var first = entities[0] || suggestions[0];
    menu.setAttribute("aria-label", (entities.length ? "Entity " : "Suggestion ") + first.text);
    entities.forEach(function (entity) { menu.appendChild(entityBlock(row, st, entity)); });
    suggestions.forEach(function (s) { menu.appendChild(suggestionBlock(s)); });
    var close = make("button", "button small menu-close", "Close");
    close.type = "button";
    close.setAttribute("data-menu-close", "");
    menu.appendChild(close);
    menu.hidden = false;
    place(menu, anchorRect, (entities[0] || suggestions[0]).lang === "ar");
    if (viaKeyboard) {
      var button = menu.querySelector("button");
      if (button) { button.focus(); }
    }
  }
  function entityBlock(row, st, entity) {
    var block = make("div", "menu-entity");
    block.setAttribute("data-entity", entity.id);
    var title = make("p", "menu-title");
    title.appendChild(swatch(entity.label));
    title.appendChild(bdi(entity.text, entity.lang));
    title.appendChild(document.createTextNode(" — " + entity.label + (entity.flagged ? " (check: the English around it changed)" : "")));
    block.appendChild(title);
    if (!W.editable || approvedRow(row)) { return block; }
    var relabel = make("div", "menu-labels");
    relabel.setAttribute("role", "group");
    relabel.setAttribute("aria-label", "Label of " + entity.text);
    OFFERED.forEach(function (label) {
      var b = actionButton(label.name, "relabel", "label-choice");
      b.setAttribute("data-label", label.name);
      b.setAttribute("aria-pressed", label.name === entity.label ? "true" : "false");
      b.insertBefore(swatch(label.name), b.firstChild);
      relabel.appendChild(b);
    });
    block.appendChild(relabel);
    var actions = make("div", "menu-actions");
    if (entity.flagged) { actions.appendChild(actionButton("Looks right", "looks-right")); }
    actions.appendChild(actionButton("Delete", "delete", "danger"));
    block.appendChild(actions);
    var other = entity.lang === "ar" ? "en" : "ar";
    var linked = {};
    st.links.forEach(function (l) { linked[l.ar_entity_id + ":" + l.en_entity_id] = true; });
    var candidates = st.entities.filter(function (e) {
      return e.lang === other && !linked[(entity.lang === "ar" ? entity.id + ":" + e.id : e.id + ":" + entity.id)];
    });
    var linking = make("div", "menu-links");
    linking.setAttribute("role", "group");
    linking.setAttribute("aria-label", "Link " + entity.text + " to");
    linking.appendChild(make("span", "menu-hint", candidates.length
      ? "Link to " + (other === "en" ? "English" : "Arabic") + ": click it in the text, or"
      : "Tag the " + (other === "en" ? "English" : "Arabic") + " to link it."));
    candidates.forEach(function (e) {
      var b = actionButton("", "link-to", "link-choice");
      b.setAttribute("data-target", e.id);
      b.appendChild(bdi(e.text, e.lang));
      b.appendChild(document.createTextNode(" " + e.label));
      linking.appendChild(b);
    });
    block.appendChild(linking);
    return block;
  }
  function suggestionBlock(s) {
    var block = make("div", "menu-entity menu-suggestion");
    var title = make("p", "menu-title");
    title.appendChild(swatch(s.label));
    title.appendChild(bdi(s.text, s.lang));
    title.appendChild(document.createTextNode(" — suggested " + s.label + (s.source ? " (" + s.source + ")" : "")));
    block.appendChild(title);
    if (W.editable) {
      var actions = make("div", "menu-actions");
      actions.appendChild(suggestionButton("Accept", "accept-suggestion", s));
      actions.appendChild(suggestionButton("Reject", "reject-suggestion", s));
      block.appendChild(actions);
    }
    return block;
  }
  function closeMenu(restoreFocus) {
    if (!menuState) { return; }
    var back = menuState.returnFocus;
    menu.hidden = true;
    menuState = null;
    if (restoreFocus !== false && back && document.contains(back)) { back.focus({ preventScroll: true }); }
    if (cursor && document.activeElement === cursor.cell) { showCursor(true); }
  }
  function hidePaletteUnlessCursor() { if (!cursor) { hidePalette(); } }

  function menuEntity(button) {
    var block = button.closest("[data-entity]");
    if (!block || !menuState) { return null; }
    return entityById(stateOf(pidOf(menuState.row)), parseInt(block.getAttribute("data-entity"), 10));
  }

  function entitiesAt(row, spanEl) {
    var st = stateOf(pidOf(row));
    var ids = (spanEl.getAttribute("data-ents") || "").split(" ").filter(Boolean).map(Number);
    var keys = (spanEl.getAttribute("data-sugs") || "").split(" ").filter(Boolean);
    return {
      entities: ids.map(function (id) { return entityById(st, id); }).filter(Boolean),
      suggestions: st.suggestions.filter(function (s) { return keys.indexOf(s.key) >= 0; })
    };
  }

  // Suggestions ----------------------------------------------------------------------
  var suggestionBar = document.getElementById("suggestions-bar");
  var suggestionSeq = 0;
  function loadSuggestions(onlyRow) {
    if (!ARTICLE) { return Promise.resolve(); }
    return W.request("GET", "/articles/" + ARTICLE + "/suggestions").then(function (result) {
      if (result.status !== 200 || !result.data || !Array.isArray(result.data.suggestions)) { return; } // 404: none yet
      var byRow = {};
      result.data.suggestions.forEach(function (s) {
        s.key = "s" + (++suggestionSeq);
        (byRow[s.paragraph_id] = byRow[s.paragraph_id] || []).push(s);
      });
      var pids = onlyRow ? [pidOf(onlyRow)] : Object.keys(byRow);
      if (!onlyRow) { Object.keys(STATE).forEach(function (pid) { if (!byRow[pid]) { STATE[pid].suggestions = []; } }); }
      pids.forEach(function (pid) {
        var row = rowById(pid);
        if (!row) { return; }
        stateOf(pid).suggestions = byRow[pid] || [];
        if (rendered.has(row)) { rerender(row); } else { watch(row); }
      });
      updateSuggestionBar();
    }, function () { /* no suggestions */ });
  }
  function allSuggestions() {
    var all = [];
    Object.keys(STATE).forEach(function (pid) { all = all.concat(STATE[pid].suggestions); });
    return all;
  }
  function findSuggestion(key) {
    var all = allSuggestions();
    for (var i = 0; i < all.length; i++) { if (all[i].key === key) { return all[i]; } }
    return null;
  }
  function updateSuggestionBar() {
    if (!suggestionBar) { return; }
    var count = allSuggestions().length;
    suggestionBar.hidden = !count || !W.editable;
    suggestionBar.querySelector("[data-suggestion-count]").textContent =
      count + " suggested entit" + (count === 1 ? "y" : "ies") + " (dashed):";
  }
  function dropSuggestion(s) {
    var st = stateOf(s.paragraph_id);
    st.suggestions = st.suggestions.filter(function (x) { return x !== s; });
  }
  function acceptSuggestion(s, quiet) {
    var row = rowById(s.paragraph_id);
    if (!row) { return Promise.resolve(false); }
    var st = stateOf(s.paragraph_id);
    var existing = st.entities.filter(function (e) {
      return e.lang === s.lang && e.start === s.start && e.end === s.end && e.label === s.label;
    })[0];
    var made = existing ? Promise.resolve(existing) : createEntity(row, s.lang, s.start, s.end, s.label);
    return made.then(function (entity) {
      if (!entity) { return false; }
      dropSuggestion(s);
      var arId = null;
      if (s.link_to && s.link_to.ar_entity_id) { arId = s.link_to.ar_entity_id; }
      else if (s.link_to && s.link_to.lang === "ar") {
        var target = st.entities.filter(function (e) {
          return e.lang === "ar" && e.start === s.link_to.start && e.end === s.link_to.end;
        }).sort(function (a, b) { return (b.label === s.label) - (a.label === s.label); })[0];
        arId = target ? target.id : null;
      }
      var ar = arId && entityById(st, arId);
      var step = ar && s.lang === "en" ? link(row, ar, entity) : Promise.resolve(true);
      return step.then(function () {
        rerender(row);
        updateSuggestionBar();
        if (!quiet) { say("Accepted " + s.label + " «" + s.text + "»" + (ar ? ", linked to «" + ar.text + "»." : ".")); }
        return true;
      });
    });
  }
  function rejectSuggestion(s, quiet) {
    var row = rowById(s.paragraph_id);
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
  function everySuggestion(action, verb) {
    // Arabic first, so English suggestions find the Arabic entities they link to.
    var all = allSuggestions().sort(function (a, b) { return (a.lang === "ar" ? 0 : 1) - (b.lang === "ar" ? 0 : 1); });
    var done = 0, failedCount = 0;
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

  // Events -------------------------------------------------------------------------
  document.addEventListener("mousedown", function (event) {
    if (palette.contains(event.target) || menu.contains(event.target)) { return; }
    if (cursor) { leaveCursor(false); } // the mouse takes over
    hidePalette();
  });

  document.addEventListener("mouseup", function (event) {
    if (palette.contains(event.target) || menu.contains(event.target)) { return; }
    if (!workspace.contains(event.target)) { return; }
    setTimeout(takeSelection, 0);
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (palette.contains(target)) {
      var choice = target.closest("[data-label]");
      if (choice) { tagPending(choice.getAttribute("data-label")); }
      else if (target.closest("[data-palette-close]")) {
        if (cursor) { leaveCursor(); } else { hidePalette(); window.getSelection().removeAllRanges(); }
      }
      return;
    }
    var actionEl = target.closest("[data-ent-action]");
    if (actionEl) { act(actionEl); return; }
    if (menu.contains(target)) {
      if (target.closest("[data-menu-close]")) { closeMenu(); }
      return;
    }
    if (suggestionBar && suggestionBar.contains(target)) {
      var bulk = target.closest("[data-action]");
      if (!bulk || !W.editable) { return; }
      if (bulk.getAttribute("data-action") === "accept-all-suggestions") { everySuggestion(acceptSuggestion, "Accepting"); }
      else { everySuggestion(rejectSuggestion, "Rejecting"); }
      return;
    }
    var spanEl = target.closest && target.closest("span.ent");
    var selection = window.getSelection();
    if (spanEl && workspace.contains(spanEl) && selection.isCollapsed) {
      var row = rowOf(spanEl);
      var found = entitiesAt(row, spanEl);
      var source = menuState && menuState.row === row && menuState.entities[0];
      if (source) {
        var other = found.entities.filter(function (e) { return e.lang !== source.lang; })[0];
        if (other) { closeMenu(false); link(row, source, other); return; }
      }
      if (found.entities.length || found.suggestions.length) {
        openMenu(row, found.entities, found.suggestions, spanEl.getBoundingClientRect(), false);
        return;
      }
    }
    if (menuState) { closeMenu(false); }
  });

  function act(button) {
    var action = button.getAttribute("data-ent-action");
    var row = menuState ? menuState.row : rowOf(button);
    if (action === "unlink") {
      unlink(rowOf(button), parseInt(button.getAttribute("data-ar"), 10), parseInt(button.getAttribute("data-en"), 10));
      return;
    }
    if (action === "accept-suggestion" || action === "reject-suggestion") {
      var s = findSuggestion(button.getAttribute("data-suggestion"));
      if (menu.contains(button)) { closeMenu(); }
      if (s) { (action === "accept-suggestion" ? acceptSuggestion : rejectSuggestion)(s, false); }
      return;
    }
    var entity = menuEntity(button);
    if (!entity || !row) { return; }
    if (action === "relabel") {
      var label = button.getAttribute("data-label");
      if (label === entity.label) { return; }
      closeMenu();
      patchEntity(row, entity, { label: label }, function (e) { return "«" + e.text + "» is now " + e.label + "."; });
    } else if (action === "looks-right") {
      closeMenu();
      patchEntity(row, entity, { flagged: false }, function (e) { return "«" + e.text + "» checked: looks right."; });
    } else if (action === "delete") {
      closeMenu();
      deleteEntity(row, entity);
    } else if (action === "link-to") {
      var other = entityById(stateOf(pidOf(row)), parseInt(button.getAttribute("data-target"), 10));
      closeMenu();
      if (other) { link(row, entity, other); }
    }
  }

  function typing(target) {
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }
  function dialogOpen() { return !!document.querySelector("dialog[open]"); }

  // Capture phase, so that these keys win over workspace.js's j/k/e/m/a while a
  // word cursor, the label palette or an entity menu is active.
  window.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing || dialogOpen()) { return; }
    if (typing(target)) { return; }
    var key = event.key;
    function handled() { event.preventDefault(); event.stopPropagation(); }

    if (menuState && menu.contains(target)) {
      if (key === "Escape") { handled(); closeMenu(); }
      return;
    }
    if (menuState && key === "Escape") { handled(); closeMenu(); return; }

    if (cursor) {
      var rtl = cursor.lang === "ar";
      var tokens = tokensOf(modelOf(cursor.cell));
      if (key === "ArrowRight" || key === "ArrowLeft") {
        handled();
        var forward = (key === "ArrowRight") !== rtl; // in RTL text ArrowLeft goes on to the next word
        moveCursor(forward ? 1 : -1, event.shiftKey);
      } else if (key === "Home" || key === "End") {
        handled();
        moveCursor(0, event.shiftKey, key === "Home" ? 0 : tokens.length - 1);
      } else if (key === "Escape") {
        handled();
        leaveCursor();
        say("Left the word cursor.");
      } else if (key === "Enter") {
        handled();
        var span = cursorSpan();
        var st = stateOf(pidOf(cursor.row));
        var covering = coveringEntities(st, cursor.lang, span.start, span.end);
        var suggested = st.suggestions.filter(function (s) { return s.lang === cursor.lang && s.start < span.end && s.end > span.start; });
        if (covering.length || suggested.length) {
          var range = domRange(cursor.cell, modelOf(cursor.cell), span.start, span.end);
          openMenu(cursor.row, covering, suggested, range.getBoundingClientRect(), true);
        } else {
          say("No entity here: press a label's key to tag «" + pending.text + "».");
        }
      } else if (!event.shiftKey && HOTKEY[key.toLowerCase()] && key.length === 1) {
        handled();
        tagPending(HOTKEY[key.toLowerCase()].name);
      } else if (key === "t" || key === "T") {
        handled();
        enterCursor(cursor.row, key === "t" ? "ar" : "en");
      } else if (key === "j" || key === "k") {
        leaveCursor(); // and let workspace.js move to the next or previous paragraph
      } else if (key.length === 1 && key !== "?") {
        handled(); // no stray approvals or edits while the cursor is in the text
      }
      return;
    }

    if (pending && !palette.hidden) {
      if (key === "Escape") { handled(); hidePalette(); window.getSelection().removeAllRanges(); return; }
      if (!event.shiftKey && key.length === 1 && HOTKEY[key.toLowerCase()]) {
        handled();
        tagPending(HOTKEY[key.toLowerCase()].name);
        return;
      }
    }

    if ((key === "t" || key === "T") && !/^(BUTTON|A|SUMMARY)$/.test(target.tagName)) {
      var row = W.currentRow();
      if (!row) { return; }
      handled();
      enterCursor(row, key === "t" ? "ar" : "en");
    }
  }, true);

  workspace.addEventListener("mizan:saved", function (event) {
    var row = rowOf(event.target);
    var st = stateOf(pidOf(row));
    if (event.detail && event.detail.qa) { st.qa = event.detail.qa; }
    if (cursor && cursor.row === row && cursor.lang === "en") { leaveCursor(false); }
    st.entities = st.entities.filter(function (e) { return e.lang === "ar"; });
    st.suggestions = st.suggestions.filter(function (s) { return s.lang === "ar"; });
    rerender(row);
    reloadEntities(row).then(function () { return loadSuggestions(row); });
  });
  workspace.addEventListener("mizan:english-changed", function (event) {
    var row = rowOf(event.target);
    var st = stateOf(pidOf(row));
    st.entities = st.entities.filter(function (e) { return e.lang === "ar"; });
    rerender(row);
    reloadEntities(row);
    refreshQA(row);
  });
  workspace.addEventListener("mizan:qa", function (event) {
    var row = rowOf(event.target);
    var st = stateOf(pidOf(row));
    // Blocking findings from a refused approval: keep the others already shown.
    var blocking = event.detail.qa || [];
    st.qa = blocking.concat(st.qa.filter(function (f) { return f.severity !== "error"; }));
    renderQA(row, st.qa);
  });

  window.MizanEntities = {
    initMs: performance.now() - initStarted, // parsing the page's data, observing the rows
    renderMs: renderMs,
    renderRow: renderRow,
    state: stateOf,
    snap: function (text, start, end) { return snap({ cps: Array.from(text) }, start, end); }
  };
  loadSuggestions();
})();
