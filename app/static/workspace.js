// The review workspace: edit, save, approve paragraphs through the JSON API.
//
// - One listener per event on the workspace (delegation), editors created on
//   demand: an article of 1,000 paragraphs stays light.
// - A save carries the paragraph version it was based on; a 409 shows both
//   texts and keeps the reviewer's own in the editor. Nothing is lost.
// - Unsaved text is kept in localStorage and restored after a reload; leaving
//   the page with unsaved text asks first.
// - Approval blocked by QA (422 with error.details.qa) opens the override
//   dialog: the blocking findings and a required reason, then approves again.
// - Every write answers with the article's state (status, approved/total, the
//   transitions allowed now); the header badge, counts and workflow buttons are
//   redrawn from it, and from GET /articles/<id>/state, polled every few
//   seconds while the page is visible, so a change made elsewhere shows too.
// - A refused save or approval shows its reason beside that paragraph's editor
//   (an aria-live message, focus moved there), in the words of the server's
//   refusal, never in HTTP words.
// - A paragraph approved with a QA override says so: "Overridden by NAME,
//   DATE: REASON", and its QA errors show as overridden.
// - the entity layer (static/entities/, ES modules) builds on this file through window.MizanWorkspace and the
//   events "mizan:saved" (detail: the save response) and
//   "mizan:english-changed" (detail: {revision_id}) dispatched on a row;
//   static/way/ (jumps, filters, search, progress) through it and
//   "mizan:article-state" (detail: the article's state) on the workspace.
//   j/k skip the rows a filter hides.
// - static/memory/ (translation memory: matches, concordance) through it and "mizan:current" (a row became
//   the current paragraph) on the row; insertFromMemory() puts a match's English in the editor, and a save
//   of that text unchanged is sent with origin "tm" (edited after inserting, it is the reviewer's: "human").
(function () {
  "use strict";
  var workspace = document.getElementById("workspace");
  if (!workspace) { return; }
  var API = workspace.getAttribute("data-api");
  var EDITABLE = workspace.getAttribute("data-editable") === "true";
  var CSRF = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var DRAFT_PREFIX = "mizan.draft.";
  var IDLE_SECONDS = 60; // a pause longer than this does not count as editing time
  var statusLine = document.getElementById("workspace-status");
  var help = document.getElementById("keys-help");
  var rows = Array.prototype.slice.call(workspace.querySelectorAll("[data-paragraph-id]"));
  var ARTICLE_ID = workspace.getAttribute("data-article-id");
  var POLL_MS = (parseFloat(workspace.getAttribute("data-poll-seconds")) || 5) * 1000;
  var current = -1;

  function say(message) { statusLine.textContent = message; }
  function emit(row, name, detail) {
    row.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail || {} }));
  }

  function rowOf(element) { return element && element.closest("[data-paragraph-id]"); }
  function idOf(row) { return row.getAttribute("data-paragraph-id"); }
  function versionOf(row) { return parseInt(row.getAttribute("data-version"), 10); }
  function savedText(row) {
    var el = row.querySelector("[data-en-text]");
    return el && !el.hasAttribute("data-empty") ? el.textContent : "";
  }
  function machineText(row) {
    var el = row.querySelector("[data-machine-text]");
    if (el) { return el.textContent; }
    return row.hasAttribute("data-en-is-machine") ? row.getAttribute("data-machine") || savedText(row) : null;
  }
  function editorOf(row) { return row.querySelector("textarea.en-editor"); }
  function isDirty(row) {
    var editor = editorOf(row);
    return !!editor && editor.value !== editor.getAttribute("data-saved");
  }

  // Local drafts ---------------------------------------------------------------
  function draftKey(row) { return DRAFT_PREFIX + idOf(row); }
  function storeDraft(row) {
    var editor = editorOf(row);
    try {
      if (isDirty(row)) {
        localStorage.setItem(draftKey(row), JSON.stringify({ text: editor.value, version: versionOf(row), at: Date.now() }));
      } else {
        localStorage.removeItem(draftKey(row));
      }
    } catch (e) { /* storage full or disabled: the editor still holds the text */ }
  }
  function readDraft(row) {
    try { return JSON.parse(localStorage.getItem(draftKey(row)) || "null"); } catch (e) { return null; }
  }
  function dropDraft(row) { try { localStorage.removeItem(draftKey(row)); } catch (e) { /* ignore */ } }

  // Time spent editing, reported with each save as post-editing effort.
  function touch(row) {
    var now = Date.now() / 1000;
    var last = parseFloat(row.getAttribute("data-last-activity") || "0");
    var spent = parseFloat(row.getAttribute("data-seconds") || "0");
    if (last && now - last < IDLE_SECONDS) { spent += now - last; }
    row.setAttribute("data-seconds", String(spent));
    row.setAttribute("data-last-activity", String(now));
  }
  function takeSeconds(row) {
    var spent = parseFloat(row.getAttribute("data-seconds") || "0");
    row.setAttribute("data-seconds", "0");
    return Math.round(spent * 10) / 10;
  }

  // Focus and navigation -----------------------------------------------------
  function markCurrent(index) {
    if (index === current) { return; }
    if (current >= 0 && rows[current]) { rows[current].classList.remove("current"); }
    current = index;
    rows[index].classList.add("current");
    emit(rows[index], "mizan:current");
  }
  function focusRow(index, options) {
    if (index < 0 || index >= rows.length) { return; }
    markCurrent(index);
    var row = rows[index];
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: options && options.start ? "start" : "nearest" });
  }
  function currentRow() { return current >= 0 ? rows[current] : null; }
  // The nearest row from `index` on, in the direction `step`, that a filter (static/way/) has not hidden.
  function shownFrom(index, step) {
    while (index >= 0 && index < rows.length && rows[index].hidden) { index += step; }
    return index;
  }

  // Editing --------------------------------------------------------------------
  function openEditor(row, text, fromMemory) {
    if (!EDITABLE) { say("This article is read only for you now."); return null; }
    var editor = editorOf(row);
    if (!editor) {
      var slot = row.querySelector("[data-editor-slot]");
      var label = document.createElement("label");
      label.className = "visually-hidden";
      label.htmlFor = "editor-" + idOf(row);
      label.textContent = "English of " + row.getAttribute("aria-label");
      editor = document.createElement("textarea");
      editor.className = "en-editor";
      editor.id = "editor-" + idOf(row);
      editor.dir = "ltr";
      editor.lang = "en";
      editor.rows = 4;
      editor.setAttribute("data-saved", savedText(row));
      editor.value = savedText(row);
      var bar = document.createElement("div");
      bar.className = "editor-actions";
      bar.appendChild(button("Save", "save", "primary"));
      if (machineText(row) !== null) { bar.appendChild(button("Use machine draft", "copy-machine")); }
      bar.appendChild(button("Discard changes", "discard"));
      slot.appendChild(label);
      slot.appendChild(editor);
      slot.appendChild(bar);
      row.classList.add("editing");
    }
    if (typeof text === "string") {
      editor.value = text;
      if (fromMemory) { editor.setAttribute("data-tm-text", text); } else { editor.removeAttribute("data-tm-text"); }
      storeDraft(row);
    }
    autosize(editor);
    editor.focus();
    return editor;
  }
  function button(label, action, kind) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button small" + (kind ? " " + kind : "");
    b.textContent = label;
    b.setAttribute("data-action", action);
    return b;
  }
  function closeEditor(row) {
    var slot = row.querySelector("[data-editor-slot]");
    while (slot.firstChild) { slot.removeChild(slot.firstChild); }
    row.classList.remove("editing");
    dropDraft(row);
  }
  function autosize(editor) {
    editor.style.height = "auto";
    editor.style.height = Math.max(editor.scrollHeight + 2, 64) + "px";
  }

  function request(method, url, body) {
    return fetch(API + url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": CSRF },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function setStatus(row, status) {
    row.setAttribute("data-status", status);
    row.classList.remove("status-draft", "status-edited", "status-approved");
    row.classList.add("status-" + status);
    row.querySelector("[data-status-label]").textContent = status;
    var approve = row.querySelector('[data-action="approve"]');
    var reopen = row.querySelector('[data-action="reopen"]');
    if (approve) { approve.hidden = status === "approved"; }
    if (reopen) { reopen.hidden = status !== "approved"; }
    if (status !== "approved") { showOverride(row, null); }
    var count = document.querySelector("[data-approved-count]");
    if (count) { count.textContent = workspace.querySelectorAll('[data-status="approved"]').length; }
  }

  // Who wrote the English now shown: "Machine draft · model" or "Edited by NAME".
  function setOrigin(row, origin, author) {
    var label = row.querySelector("[data-origin]");
    if (origin === "human" || origin === "tm") {
      if (row.hasAttribute("data-en-is-machine") && !row.hasAttribute("data-machine")) {
        row.setAttribute("data-machine", savedText(row)); // the draft stays available to copy
      }
      row.removeAttribute("data-en-is-machine");
    }
    if (!label) {
      label = document.createElement("p");
      label.className = "origin";
      label.setAttribute("data-origin", "");
      var shown = row.querySelector("[data-en-text]");
      shown.parentNode.insertBefore(label, shown.nextSibling);
    }
    if (origin === "human") { label.textContent = "Edited by " + (author || "someone"); }
    if (origin === "tm") { label.textContent = "From the translation memory, saved by " + (author || "someone"); }
  }

  // Article state: the header badge, the counts and the workflow buttons, redrawn from the server's answer.
  var STATUS_WORDS = { changes_requested: "changes requested", in_review: "in review" };
  var articleStatus = null;
  function applyArticle(state) {
    if (!state || !state.status) { return; }
    var badge = document.querySelector("[data-article-status]");
    if (badge) {
      badge.className = "status status-" + state.status;
      badge.textContent = STATUS_WORDS[state.status] || state.status;
    }
    var count = document.querySelector("[data-approved-count]");
    if (count && typeof state.approved === "number") { count.textContent = String(state.approved); }
    var total = document.querySelector("[data-total-count]");
    if (total && typeof state.total === "number") { total.textContent = String(state.total); }
    var allowed = state.transitions || [];
    var forms = document.querySelectorAll("[data-transition]");
    Array.prototype.forEach.call(forms, function (form) {
      form.hidden = allowed.indexOf(form.getAttribute("data-transition")) < 0;
    });
    var workflow = document.querySelector("[data-workflow]");
    if (workflow) { workflow.hidden = allowed.length === 0; }
    if (articleStatus !== null && articleStatus !== state.status && !EDITABLE_BY_STATUS[state.status]) {
      say("The article is now " + (STATUS_WORDS[state.status] || state.status) + ": reload the page to see what you may do.");
    }
    articleStatus = state.status;
    workspace.dispatchEvent(new CustomEvent("mizan:article-state", { detail: state })); // the progress bar (static/way/)
  }
  // Statuses in which the page may have opened editable; leaving them elsewhere asks for a reload.
  var EDITABLE_BY_STATUS = { assigned: true, in_review: true, changes_requested: true };

  // QA overrides: "Overridden by NAME, DATE: REASON" beside the findings; the errors marked overridden.
  function showOverride(row, override) {
    var note = row.querySelector("[data-override]");
    if (!note) { return; }
    while (note.firstChild) { note.removeChild(note.firstChild); }
    if (!override) {
      note.hidden = true;
      row.removeAttribute("data-overridden");
      markOverridden(row);
      return;
    }
    note.appendChild(document.createTextNode("Overridden by " + override.by + ", "));
    var time = document.createElement("time");
    time.dateTime = override.at;
    time.textContent = shortDate(override.at);
    note.appendChild(time);
    note.appendChild(document.createTextNode(": "));
    var reason = document.createElement("span");
    reason.dir = "auto";
    reason.textContent = override.reason;
    note.appendChild(reason);
    note.hidden = false;
    row.setAttribute("data-overridden", "");
    markOverridden(row);
  }
  function shortDate(iso) { // "2026-12-06T12:10:00+00:00" → "2026-12-06 12:10", as the server writes it
    var match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso || "");
    return match ? match[1] + " " + match[2] : iso;
  }
  function markOverridden(row) {
    var overridden = row.hasAttribute("data-overridden");
    Array.prototype.forEach.call(row.querySelectorAll("[data-qa] li.qa-error, [data-qa] li.qa-overridden"), function (item) {
      var wanted = overridden ? "qa-overridden" : "qa-error";
      if (item.classList.contains(wanted)) { return; }
      item.classList.remove("qa-error", "qa-overridden");
      item.classList.add(wanted);
      var strong = item.querySelector("strong");
      if (strong) { strong.textContent = overridden ? "Error (overridden): " : "Error: "; }
    });
  }
  // The entity layer (static/entities/) draws the QA findings; they are marked as overridden as they appear.
  if (window.MutationObserver) {
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        var row = rowOf(record.target);
        if (row && row.hasAttribute("data-overridden") && record.target.hasAttribute("data-qa")) { markOverridden(row); }
      });
    }).observe(workspace, { childList: true, subtree: true });
  }

  // Refusals beside the paragraph: announced, with focus moved there (the editor if it is open).
  function showRowError(row, message) {
    var box = row.querySelector("[data-row-error]");
    if (!box) { say(message); return; }
    box.textContent = message;
    box.hidden = false;
    var editor = editorOf(row);
    if (editor) {
      editor.setAttribute("aria-invalid", "true");
      editor.setAttribute("aria-describedby", box.id);
      editor.focus();
    } else {
      box.focus();
    }
    box.scrollIntoView({ block: "nearest" }); // the message in sight, just under the editor
    // Rows drawn for the first time by that scroll (content-visibility: auto, the entity layer) take their
    // real height and may push it out again: for a second it is brought back in sight, unless the reviewer
    // scrolls or types meanwhile.
    keepInSight(box, 1000);
    say(message + " (paragraph " + (rows.indexOf(row) + 1) + ")");
  }
  function keepInSight(element, milliseconds) {
    var until = performance.now() + milliseconds;
    var intents = ["wheel", "touchmove", "keydown", "mousedown"];
    var stop = function () {
      until = 0;
      intents.forEach(function (name) { window.removeEventListener(name, stop, true); });
    };
    intents.forEach(function (name) { window.addEventListener(name, stop, true); });
    (function check() {
      if (performance.now() > until || element.hidden) { stop(); return; }
      var box = element.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) { element.scrollIntoView({ block: "nearest" }); }
      requestAnimationFrame(check);
    })();
  }
  function clearRowError(row) {
    var box = row.querySelector("[data-row-error]");
    if (box && !box.hidden) { box.hidden = true; box.textContent = ""; }
    var editor = editorOf(row);
    if (editor) { editor.removeAttribute("aria-invalid"); editor.removeAttribute("aria-describedby"); }
  }

  function showSaved(row, text, author, origin) {
    setOrigin(row, origin || "human", author || "you");
    showText(row, text);
  }
  function showText(row, text) {
    var el = row.querySelector("[data-en-text]");
    el.textContent = text;
    el.classList.remove("placeholder");
    el.removeAttribute("data-empty");
  }

  function save(row) {
    var editor = editorOf(row);
    if (!editor) { return Promise.resolve(true); }
    if (!isDirty(row)) { closeEditor(row); return Promise.resolve(true); }
    var text = editor.value;
    var body = { text: text, version: versionOf(row), seconds: takeSeconds(row) };
    var fromMemory = editor.hasAttribute("data-tm-text") && editor.getAttribute("data-tm-text").trim() === text.trim();
    if (fromMemory) { body.origin = "tm"; } // the match's English as inserted; edited, it is the reviewer's own
    say("Saving paragraph…");
    return request("PUT", "/paragraphs/" + idOf(row) + "/translation", body)
      .then(function (result) {
        if (result.status === 200) {
          row.setAttribute("data-version", result.data.version);
          if (result.data.revision_id) { row.setAttribute("data-revision", result.data.revision_id); }
          hideConflict(row);
          clearRowError(row);
          showSaved(row, text.trim(), null, fromMemory ? "tm" : "human");
          closeEditor(row);
          setStatus(row, result.data.status);
          applyArticle(result.data.article);
          var lost = result.data.entities_lost || 0;
          say("Saved (version " + result.data.version + ")." + (lost ? " " + lost + " English entit" +
              (lost > 1 ? "ies" : "y") + " could not be carried over: their text is gone (the old revision keeps them)." : ""));
          emit(row, "mizan:saved", result.data);
          return true;
        }
        if (result.status === 409 && "version" in result.data) {
          showConflict(row, result.data, text);
          return false;
        }
        showRowError(row, errorMessage(result, "Not saved"));
        return false;
      }, function () {
        showRowError(row, "Not saved: the server could not be reached. Your text is kept in this browser.");
        return false;
      });
  }

  // The refusal in plain words: the field messages when the request was refused field by field
  // ("The English cannot be empty."), else the server's message (already written for people).
  function errorMessage(result, prefix) {
    var error = result.data && result.data.error;
    var message;
    if (error && error.details && !error.details.qa) { message = fieldMessages(error.details).join(" "); }
    if (!message) { message = error && error.message ? error.message : fallbackMessage(result.status); }
    return prefix + ": " + message;
  }
  function fieldMessages(node) {
    if (typeof node === "string") { return [node]; }
    var found = [];
    if (node && typeof node === "object") {
      Object.keys(node).forEach(function (key) { found = found.concat(fieldMessages(node[key])); });
    }
    return found;
  }
  function fallbackMessage(status) {
    if (status === 401) { return "you are no longer logged in; log in again (your text is kept in this browser)."; }
    if (status === 403) { return "you may not change this paragraph now."; }
    if (status >= 500) { return "something went wrong on the server; nothing was changed. Try again."; }
    return "the server refused it (" + status + ").";
  }

  // Conflicts: both texts side by side; the reviewer's own stays in the editor.
  // `mine` is null when the reviewer had typed nothing (e.g. a stale Approve): then only theirs is shown.
  function showConflict(row, theirs, mine) {
    var notice = row.querySelector("[data-changed-elsewhere]");
    if (notice) { notice.parentNode.removeChild(notice); }
    var box = row.querySelector("[data-conflict]");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    var title = document.createElement("p");
    title.className = "conflict-title";
    box.appendChild(title);
    if (mine !== null) {
      title.textContent = "Someone else saved this paragraph while you were editing (now version " + theirs.version +
        "). Your text was not saved. Compare, merge in the editor, and save again.";
      box.appendChild(conflictText("Their saved text", theirs.text || "", "conflict-theirs"));
      box.appendChild(conflictText("Your text (not saved yet)", mine, "conflict-mine"));
      var bar = document.createElement("div");
      bar.className = "editor-actions";
      bar.appendChild(button("Keep mine and save", "keep-mine", "primary"));
      bar.appendChild(button("Take theirs", "take-theirs"));
      box.appendChild(bar);
    } else {
      title.textContent = "Someone else changed this paragraph since you opened it (now version " + theirs.version +
        "); nothing was approved. Their text is shown: read it, then approve again.";
    }
    box.hidden = false;
    row.setAttribute("data-version", theirs.version);
    row.setAttribute("data-their-text", theirs.text || "");
    if (theirs.revision_id) { row.setAttribute("data-revision", theirs.revision_id); }
    showText(row, theirs.text || "");
    if (theirs.origin) { setOrigin(row, theirs.origin, theirs.author); }
    if (theirs.status) { setStatus(row, theirs.status); }
    emit(row, "mizan:english-changed", { revision_id: theirs.revision_id });
    if (mine === null) {
      title.tabIndex = -1;
      title.focus();
      say("Not approved: someone else changed this paragraph. Their text is shown.");
      return;
    }
    var editor = openEditor(row);
    editor.setAttribute("data-saved", theirs.text || "");
    storeDraft(row);
    say("Conflict: someone else saved this paragraph. Both texts are shown.");
  }
  function conflictText(label, text, className) {
    var wrap = document.createElement("div");
    wrap.className = className;
    var heading = document.createElement("p");
    heading.className = "label";
    heading.textContent = label;
    var body = document.createElement("p");
    body.dir = "ltr";
    body.lang = "en";
    body.className = "conflict-text";
    body.textContent = text;
    wrap.appendChild(heading);
    wrap.appendChild(body);
    return wrap;
  }
  function hideConflict(row) {
    var notice = row.querySelector("[data-changed-elsewhere]");
    if (notice) { notice.parentNode.removeChild(notice); }
    var box = row.querySelector("[data-conflict]");
    box.hidden = true;
    while (box.firstChild) { box.removeChild(box.firstChild); }
    row.removeAttribute("data-their-text");
  }

  function approve(row) {
    return save(row).then(function (saved) {
      if (!saved) { return; }
      say("Approving…");
      return sendApproval(row, { version: versionOf(row), seconds: takeSeconds(row) });
    });
  }
  function sendApproval(row, body) {
    return request("POST", "/paragraphs/" + idOf(row) + "/approve", body)
      .then(function (result) {
        var details = result.data && result.data.error && result.data.error.details;
        if (result.status === 200) {
          clearRowError(row);
          hideConflict(row);
          setStatus(row, result.data.status);
          showOverride(row, result.data.override || null);
          applyArticle(result.data.article);
          say(body.override_reason ? "Approved, with your override reason recorded." : "Approved.");
          var next = shownFrom(rows.indexOf(row) + 1, 1);
          if (next < rows.length) { focusRow(next); }
        } else if (result.status === 409 && "version" in result.data) {
          showConflict(row, result.data, null);
        } else if (result.status === 422 && details && details.qa) {
          say(errorMessage(result, "Not approved"));
          emit(row, "mizan:qa", { qa: details.qa, blocking: true });
          askOverride(row, details.qa, body.seconds || 0);
        } else {
          showRowError(row, errorMessage(result, "Not approved"));
        }
      }, function () { showRowError(row, "Not approved: the server could not be reached."); });
  }

  // Approving despite blocking QA findings: an accessible modal dialog asks why.
  var override = document.getElementById("qa-override");
  function askOverride(row, findings, seconds) {
    if (!override || !override.showModal) { return; }
    var list = override.querySelector("[data-override-findings]");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    findings.forEach(function (finding) {
      var item = document.createElement("li");
      item.className = "qa-" + finding.severity;
      var severity = document.createElement("strong");
      severity.textContent = finding.severity === "error" ? "Error: " : finding.severity === "warning" ? "Warning: " : "Note: ";
      item.appendChild(severity);
      item.appendChild(document.createTextNode(finding.message));
      list.appendChild(item);
    });
    var reason = override.querySelector("textarea");
    reason.value = "";
    override.returnValue = "";
    override.setAttribute("data-for-paragraph", idOf(row));
    override.setAttribute("data-seconds", String(seconds || 0));
    override.showModal();
    reason.focus();
  }
  if (override) {
    override.addEventListener("close", function () {
      var row = document.getElementById("p-" + override.getAttribute("data-for-paragraph"));
      var reason = override.querySelector("textarea").value.trim();
      if (!row) { return; }
      if (override.returnValue === "approve" && reason) {
        say("Approving with an override reason…");
        sendApproval(row, { version: versionOf(row), seconds: parseFloat(override.getAttribute("data-seconds")) || 0,
                            override_reason: reason });
      } else {
        say("Not approved: the QA findings stand.");
      }
      row.focus({ preventScroll: true });
    });
  }

  function reopen(row) {
    return request("POST", "/paragraphs/" + idOf(row) + "/reopen", { version: versionOf(row) }).then(function (result) {
      if (result.status === 200) {
        clearRowError(row);
        setStatus(row, result.data.status);
        applyArticle(result.data.article);
        say("Reopened.");
      } else if (result.status === 409 && "version" in result.data) {
        showConflict(row, result.data, null);
      } else {
        showRowError(row, errorMessage(result, "Not reopened"));
      }
    });
  }

  // One comment form for all paragraphs, moved into the paragraph being commented on.
  function openCommentForm(row, trigger) {
    var form = document.getElementById("paragraph-comment-form");
    form.querySelector('input[name="paragraph_id"]').value = idOf(row);
    form.querySelector("label").textContent = "Comment on " + row.getAttribute("aria-label").toLowerCase();
    trigger.parentNode.insertBefore(form, trigger);
    form.hidden = false;
    form.querySelector("textarea").focus();
  }

  // Events ---------------------------------------------------------------------
  workspace.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    var row = rowOf(event.target);
    if (!row) { return; }
    var index = rows.indexOf(row);
    if (index >= 0) { markCurrent(index); }
    if (!target) { return; }
    var action = target.getAttribute("data-action");
    if (action === "edit") { openEditor(row); }
    else if (action === "save") { save(row); }
    else if (action === "approve") { approve(row); }
    else if (action === "reopen") { reopen(row); }
    else if (action === "copy-machine") { openEditor(row, machineText(row)); }
    else if (action === "discard") { closeEditor(row); hideConflict(row); clearRowError(row); say("Changes discarded."); }
    else if (action === "keep-mine") { hideConflict(row); save(row); }
    else if (action === "comment") { openCommentForm(row, target); }
    else if (action === "take-theirs") {
      var theirs = row.getAttribute("data-their-text") || "";
      hideConflict(row);
      closeEditor(row);
      showText(row, theirs); // shown since the conflict, with who wrote it
      emit(row, "mizan:english-changed", { revision_id: parseInt(row.getAttribute("data-revision"), 10) || null });
      say("Their text kept; yours was discarded.");
    }
  });

  workspace.addEventListener("input", function (event) {
    if (!event.target.classList.contains("en-editor")) { return; }
    var row = rowOf(event.target);
    touch(row);
    clearRowError(row);
    autosize(event.target);
    storeDraft(row);
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var inEditor = target.classList && target.classList.contains("en-editor");
    if (inEditor) {
      var row = rowOf(target);
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); save(row); }
      else if (event.key === "Escape") { event.preventDefault(); row.focus(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName) || target.isContentEditable) {
      if (!(target.tagName === "BUTTON" && /^[jk?]$/.test(event.key))) { return; }
    }
    if (document.querySelector("dialog[open]")) { return; } // help, QA override, the memory search
    var here = currentRow();
    switch (event.key) {
      case "j": event.preventDefault(); focusRow(shownFrom(current + 1, 1)); break;
      case "k": event.preventDefault(); focusRow(shownFrom(Math.max(current - 1, 0), -1)); break;
      case "e":
      case "Enter":
        if (here && (event.key === "e" || target === here)) { event.preventDefault(); openEditor(here); }
        break;
      case "m": if (here && machineText(here) !== null) { event.preventDefault(); openEditor(here, machineText(here)); } break;
      case "a": if (here && EDITABLE) { event.preventDefault(); approve(here); } break;
      case "?": event.preventDefault(); if (help && help.showModal) { help.showModal(); } break;
      default: break;
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (rows.some(isDirty)) { event.preventDefault(); event.returnValue = ""; }
  });

  // Restore unsaved text from an earlier visit.
  var restored = 0;
  rows.forEach(function (row) {
    var draft = readDraft(row);
    if (!draft || typeof draft.text !== "string") { return; }
    if (draft.text === savedText(row)) { dropDraft(row); return; }
    if (!EDITABLE) { return; }
    if (draft.version !== versionOf(row)) {
      // Saved by someone since: keep the draft's base so its save shows the conflict.
      row.setAttribute("data-version", draft.version);
    }
    var editor = openEditor(row, draft.text);
    if (editor) { editor.blur(); restored += 1; }
  });
  if (restored) { say(restored + " unsaved paragraph" + (restored > 1 ? "s" : "") + " restored from this browser; save to keep."); }

  window.MizanWorkspace = {
    api: API, editable: EDITABLE, csrf: CSRF, rows: rows, request: request, say: say, errorMessage: errorMessage,
    currentRow: currentRow, idOf: idOf,
    focusRow: function (row, options) { focusRow(rows.indexOf(row), options); },
    setCurrent: function (row) {
      var index = rows.indexOf(row);
      if (index >= 0) { markCurrent(index); }
    },
    // A translation-memory match's English into the row's editor (static/memory/): saved unchanged, origin "tm".
    insertFromMemory: function (row, text) { return openEditor(row, text, true); }
  };

  // Live state: what others change shows within seconds. Statuses and counts are redrawn; a paragraph
  // whose English changed elsewhere is not silently replaced (its text is not in this cheap answer):
  // the row says so, and a save or approval of it will show both texts.
  var pollTimer = null;
  var polling = false;
  function poll() {
    pollTimer = null;
    if (polling || document.visibilityState === "hidden" || !ARTICLE_ID) { return; }
    polling = true;
    fetch(API + "/articles/" + ARTICLE_ID + "/state", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) { if (state) { applyLive(state); } }, function () { /* offline: try again later */ })
      .then(function () { polling = false; schedule(); });
  }
  function schedule() {
    if (pollTimer === null && !polling && document.visibilityState !== "hidden") { pollTimer = setTimeout(poll, POLL_MS); }
  }
  function applyLive(state) {
    var overrides = state.overrides || {};
    (state.paragraphs || []).forEach(function (p) {
      var row = document.getElementById("p-" + p.id);
      if (!row) { return; }
      if (p.version !== versionOf(row)) {
        var notice = row.querySelector("[data-changed-elsewhere]");
        if (!notice && row.querySelector("[data-conflict]").hidden) {
          notice = document.createElement("p");
          notice.className = "hint";
          notice.setAttribute("data-changed-elsewhere", "");
          notice.textContent = "Someone else changed this paragraph's English: reload the page to see it.";
          row.querySelector("[data-conflict]").parentNode.insertBefore(notice, row.querySelector("[data-conflict]"));
        }
        return;
      }
      if (p.status !== row.getAttribute("data-status")) { setStatus(row, p.status); }
      var override = overrides[String(p.id)] || null;
      if (!!override !== row.hasAttribute("data-overridden")) { showOverride(row, override); }
    });
    applyArticle(state); // last: the counts are the server's, not the rows'
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (pollTimer !== null) { clearTimeout(pollTimer); }
      poll();
    }
  });
  schedule();

  var fromHash = location.hash && document.getElementById(location.hash.slice(1));
  var start = fromHash ? rows.indexOf(fromHash) : -1;
  if (start >= 0) { focusRow(start, { start: true }); } else if (rows.length) { markCurrent(0); }
})();
