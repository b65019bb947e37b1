// Undo and redo of one's own annotation work in this article (services/undo.py):
// the Undo and Redo buttons, Ctrl+Z and Ctrl+Shift+Z (or Ctrl+Y) outside text
// fields (the English editor keeps its own undo). The server says what it
// undid; the page redraws that paragraph's entities, links and QA from its
// answer, and the status line says it. A refusal (nothing to undo, an approved
// paragraph, another reviewer's later change) is said there and changes nothing.
// A button is disabled while its stack is empty: the stacks come with the page,
// with each undo or redo, with the polled article state (another tab's work),
// and every entity or link change puts one on the undo stack and empties redo.
import { W, ARTICLE, workspace, say, stateOf, rowById, ui, typingIn } from "./context.js";
import { rerender, renderQA, rendered } from "./render.js";
import { closeMenu } from "./menus.js";
import { loadSuggestions } from "./suggestions.js";

let busy = false;
let bar = null;

export function initUndo() {
  bar = document.getElementById("undo-bar");
  if (bar) {
    bar.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-action]");
      if (button) { step(button.getAttribute("data-action")); }
    });
    watchAnnotationWrites();
    workspace.addEventListener("mizan:article-state", function (event) {
      if (event.detail && event.detail.stack) { showStack(event.detail.stack); }
    });
  }
  document.addEventListener("keydown", onKey);
}

// The entity and link writes that services/undo.py records (tag, accept or
// reject a suggestion, delete, relabel, "looks right", link, unlink).
const ANNOTATION_WRITE = /^\/(paragraphs\/\d+\/(entities|suggestions\/reject)|entities\/\d+|entity-links)$/;

function isAnnotationWrite(method, path) {
  return method !== "GET" && ANNOTATION_WRITE.test(path);
}

function watchAnnotationWrites() {
  const request = W.request;
  W.request = function (method, path) {
    return request.apply(W, arguments).then(function (result) {
      if (result.status >= 200 && result.status < 300 && isAnnotationWrite(method, path)) {
        showStack({ undo: 1, redo: 0 });
      }
      return result;
    });
  };
}

function showStack(stack) {
  if (!bar) { return; }
  const undo = bar.querySelector('[data-action="undo"]');
  const redo = bar.querySelector('[data-action="redo"]');
  const focused = document.activeElement;
  undo.disabled = !stack.undo;
  redo.disabled = !stack.redo;
  // A button disabled under the keyboard's focus would drop it to the page's start: the other one takes it.
  if (focused === undo && undo.disabled && !redo.disabled) { redo.focus(); }
  if (focused === redo && redo.disabled && !undo.disabled) { undo.focus(); }
}

function onKey(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.isComposing) { return; }
  if (typingIn(event.target) || document.querySelector("dialog[open]")) { return; }
  const key = event.key.toLowerCase();
  if (key === "z") {
    event.preventDefault();
    step(event.shiftKey ? "redo" : "undo");
  } else if (key === "y" && !event.shiftKey) {
    event.preventDefault();
    step("redo");
  }
}

export function step(direction) {
  if (!ARTICLE || !W.editable) { say("This article is read only for you now."); return Promise.resolve(false); }
  if (busy) { return Promise.resolve(false); }
  busy = true;
  say(direction === "undo" ? "Undoing…" : "Redoing…");
  return W.request("POST", "/articles/" + ARTICLE + "/" + direction).then(function (result) {
    busy = false;
    if (result.status !== 200) {
      say(W.errorMessage(result, direction === "undo" ? "Not undone" : "Not redone"));
      return false;
    }
    const done = result.data[direction === "undo" ? "undone" : "redone"];
    showStack(result.data.stack);
    redraw(result.data.paragraph, done);
    say(done.message);
    return true;
  }, function () {
    busy = false;
    say("The server could not be reached; nothing changed.");
    return false;
  });
}

function redraw(paragraph, done) {
  const row = rowById(paragraph.id);
  if (!row) { return; }
  if (ui.menuState && ui.menuState.row === row) { closeMenu(false); }
  const st = stateOf(paragraph.id);
  st.entities = paragraph.entities;
  st.links = paragraph.links;
  st.qa = paragraph.qa;
  rerender(row);
  if (rendered.has(row)) { renderQA(row, st.qa); }
  // What is suggested here depends on the entities and the rejections just changed.
  if (/^(suggestion|entity)\./.test(done.action)) { loadSuggestions(row); }
}
