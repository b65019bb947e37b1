// The label palette (after a selection, a tap or with the word cursor) and the
// entity menu: link (the other language's entities, best match first), relabel,
// delete, "looks right" (clears a "check" flag), and a suggestion's
// accept/reject. Opened with the keyboard, the menu's focus is on the best link
// choice; arrow keys move within a group of buttons (menuArrow). Both float over the text, placed inside
// the viewport (dom.place).
import { W, OFFERED, ui, say, stateOf, pidOf, entityById, approvedRow, cellOf, modelOf } from "./context.js";
import { make, bdi, swatch, actionButton, place } from "./dom.js";
import { createEntity } from "./api.js";
import { rankLinkCandidates } from "./linking.js";
import { suggestionButton } from "./render.js";
import { showCursor } from "./keyboard.js";

export let palette = null;
export let menu = null;

export function createMenus() {
  palette = make("div", "label-palette");
  palette.id = "label-palette";
  palette.setAttribute("role", "group");
  palette.hidden = true;
  document.body.appendChild(palette);
  menu = make("div", "entity-menu");
  menu.id = "entity-menu";
  menu.setAttribute("role", "dialog");
  menu.hidden = true;
  document.body.appendChild(menu);
}

// The label palette ------------------------------------------------------------------
export function showPalette(range) {
  const pending = ui.pending;
  palette.textContent = "";
  palette.setAttribute("aria-label", "Label for " + pending.text);
  const caption = make("span", "palette-caption");
  caption.appendChild(document.createTextNode("Tag "));
  caption.appendChild(bdi(pending.text, pending.lang));
  caption.appendChild(document.createTextNode(" as"));
  palette.appendChild(caption);
  OFFERED.forEach(function (label) {
    const b = make("button", "label-button");
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
  const search = make("button", "label-button palette-memory", "Search the memory");
  search.type = "button";
  search.setAttribute("data-memory-search", ""); // static/memory/main.js: the concordance of these words
  palette.appendChild(search);
  const close = make("button", "palette-close", "✕");
  close.type = "button";
  close.setAttribute("aria-label", "Close the labels");
  close.setAttribute("data-palette-close", "");
  palette.appendChild(close);
  palette.hidden = false;
  // Under the selection; under (or over) the whole cell for the word cursor and for taps, so the
  // text stays readable and the next word can still be tapped.
  let rect = range.getBoundingClientRect();
  if (ui.cursor || ui.touch) {
    const cell = (ui.cursor || ui.touch).cell.getBoundingClientRect();
    rect = { left: rect.left, right: rect.right, top: cell.top, bottom: cell.bottom };
  }
  place(palette, rect, pending.lang === "ar");
}
export function hidePalette() { palette.hidden = true; ui.pending = null; ui.touch = null; }
export function hidePaletteUnlessCursor() { if (!ui.cursor) { hidePalette(); } }

export function tagPending(labelName) {
  if (!ui.pending) { return; }
  if (!W.editable) { say("This article is read only for you now."); return; }
  const p = ui.pending;
  say("Tagging «" + p.text + "» as " + labelName + "…");
  createEntity(p.row, p.lang, p.start, p.end, labelName).then(function (entity) {
    if (!entity) { return; } // the palette stays with the selection: nothing lost
    say("Tagged «" + entity.text + "» as " + entity.label + " (" + (p.lang === "ar" ? "Arabic" : "English") +
        " " + entity.start + "–" + entity.end + ")." + (ui.cursor ? " Enter: link it, relabel or delete." : ""));
    if (ui.cursor && ui.cursor.row === p.row) { showCursor(true); return; }
    hidePalette();
    window.getSelection().removeAllRanges();
  });
}

// The entity menu ------------------------------------------------------------------
export function openMenu(row, entities, suggestions, anchorRect, viaKeyboard) {
  hidePaletteUnlessCursor();
  const st = stateOf(pidOf(row));
  menu.textContent = "";
  ui.menuState = { row: row, entities: entities, suggestions: suggestions,
                   returnFocus: viaKeyboard ? document.activeElement : null };
  const first = entities[0] || suggestions[0];
  menu.setAttribute("aria-label", (entities.length ? "Entity " : "Suggestion ") + first.text);
  entities.forEach(function (entity) { menu.appendChild(entityBlock(row, st, entity)); });
  suggestions.forEach(function (s) { menu.appendChild(suggestionBlock(s)); });
  const close = make("button", "button small menu-close", "Close");
  close.type = "button";
  close.setAttribute("data-menu-close", "");
  menu.appendChild(close);
  menu.hidden = false;
  place(menu, anchorRect, first.lang === "ar"); // a rect, or rects best first (dom.place)
  if (viaKeyboard) { // on the best link choice if there is one (Enter links it), else the first button
    const button = menu.querySelector("button.link-choice") || menu.querySelector("button");
    if (button) { button.focus(); }
  }
}
function entityBlock(row, st, entity) {
  const block = make("div", "menu-entity");
  block.setAttribute("data-entity", entity.id);
  const title = make("p", "menu-title");
  title.appendChild(swatch(entity.label));
  title.appendChild(bdi(entity.text, entity.lang));
  title.appendChild(document.createTextNode(" — " + entity.label + (entity.flagged ? " (check: the English around it changed)" : "")));
  block.appendChild(title);
  if (!W.editable || approvedRow(row)) { return block; }
  // The link choices first, best match first (linking.js): with the keyboard, Enter on an entity
  // opens this menu on the best match and Enter links it; the labels and Delete follow.
  block.appendChild(linkChoices(row, st, entity));
  const relabel = make("div", "menu-labels");
  relabel.setAttribute("role", "group");
  relabel.setAttribute("aria-label", "Label of " + entity.text);
  OFFERED.forEach(function (label) {
    const b = actionButton(label.name, "relabel", "label-choice");
    b.setAttribute("data-label", label.name);
    b.setAttribute("aria-pressed", label.name === entity.label ? "true" : "false");
    b.insertBefore(swatch(label.name), b.firstChild);
    relabel.appendChild(b);
  });
  block.appendChild(relabel);
  const actions = make("div", "menu-actions");
  if (entity.flagged) { actions.appendChild(actionButton("Looks right", "looks-right")); }
  actions.appendChild(actionButton("Delete", "delete", "danger"));
  block.appendChild(actions);
  return block;
}
function linkChoices(row, st, entity) {
  const other = entity.lang === "ar" ? "en" : "ar";
  const otherName = other === "en" ? "English" : "Arabic";
  const linked = {};
  st.links.forEach(function (l) { linked[l.ar_entity_id + ":" + l.en_entity_id] = true; });
  const candidates = rankLinkCandidates(entity, st.entities.filter(function (e) {
    return e.lang === other && !linked[(entity.lang === "ar" ? entity.id + ":" + e.id : e.id + ":" + entity.id)];
  }), st.links, lengthsOf(row));
  const linking = make("div", "menu-links");
  linking.setAttribute("role", "group");
  linking.setAttribute("aria-label", "Link " + entity.text + " to");
  linking.appendChild(make("span", "menu-hint", candidates.length
    ? "Link to " + otherName + (candidates.length > 1 ? ", best match first" : "") + " (or click it in the text):"
    : "Tag the " + otherName + " to link it."));
  candidates.forEach(function (e, i) {
    const b = actionButton("", "link-to", "link-choice");
    b.setAttribute("data-target", e.id);
    b.appendChild(bdi(e.text, e.lang));
    b.appendChild(document.createTextNode(" " + e.label));
    if (i === 0 && candidates.length > 1) { b.classList.add("best-match"); }
    linking.appendChild(b);
  });
  return linking;
}
function lengthsOf(row) {
  const lengths = {};
  ["ar", "en"].forEach(function (lang) {
    const cell = cellOf(row, lang);
    lengths[lang] = cell ? modelOf(cell).cps.length : 0;
  });
  return lengths;
}
function suggestionBlock(s) {
  const block = make("div", "menu-entity menu-suggestion");
  const title = make("p", "menu-title");
  title.appendChild(swatch(s.label));
  title.appendChild(bdi(s.text, s.lang));
  title.appendChild(document.createTextNode(" — suggested " + s.label + (s.source ? " (" + s.source + ")" : "")));
  block.appendChild(title);
  if (W.editable) {
    const actions = make("div", "menu-actions");
    actions.appendChild(suggestionButton("Accept", "accept-suggestion", s));
    actions.appendChild(suggestionButton("Reject", "reject-suggestion", s));
    block.appendChild(actions);
  }
  return block;
}
export function closeMenu(restoreFocus) {
  if (!ui.menuState) { return; }
  const back = ui.menuState.returnFocus;
  menu.hidden = true;
  ui.menuState = null;
  if (restoreFocus !== false && back && document.contains(back)) { back.focus({ preventScroll: true }); }
  if (ui.cursor && document.activeElement === ui.cursor.cell) { showCursor(true); }
}

export function menuEntity(button) {
  const block = button.closest("[data-entity]");
  if (!block || !ui.menuState) { return null; }
  return entityById(stateOf(pidOf(ui.menuState.row)), parseInt(block.getAttribute("data-entity"), 10));
}

export function entitiesAt(row, spanEl) {
  const st = stateOf(pidOf(row));
  const ids = (spanEl.getAttribute("data-ents") || "").split(" ").filter(Boolean).map(Number);
  const keys = (spanEl.getAttribute("data-sugs") || "").split(" ").filter(Boolean);
  return {
    entities: ids.map(function (id) { return entityById(st, id); }).filter(Boolean),
    suggestions: st.suggestions.filter(function (s) { return keys.indexOf(s.key) >= 0; })
  };
}

// Arrow keys in the menu move among the buttons of the focused one's group (the link choices, the
// labels, the actions): Right/Down to the next, Left/Up to the previous, Home/End to the first or
// last. Tab still goes through every button. True if the key was one of these.
export function menuArrow(target, key) {
  const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -Infinity, End: Infinity }[key];
  if (step === undefined || target.tagName !== "BUTTON") { return false; }
  const group = target.closest(".menu-links, .menu-labels, .menu-actions, .menu-entity") || menu;
  const buttons = Array.prototype.slice.call(group.querySelectorAll("button"));
  const here = buttons.indexOf(target);
  if (here < 0) { return false; }
  let next = here + step;
  if (step === Infinity) { next = buttons.length - 1; } else if (step === -Infinity) { next = 0; }
  buttons[Math.max(0, Math.min(buttons.length - 1, next))].focus();
  return true;
}
