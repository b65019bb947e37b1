// Small DOM helpers: elements (text through textContent only), DOM positions ↔
// UTF-16 offsets in a cell, the selection, and placing a floating box on screen.
import { colourOf } from "./context.js";

export function make(tag, className, text) {
  const el = document.createElement(tag);
  if (className) { el.className = className; }
  if (text !== undefined) { el.textContent = text; }
  return el;
}
export function bdi(text, lang) {
  const el = make("bdi", null, text);
  el.lang = lang;
  el.dir = lang === "ar" ? "rtl" : "ltr";
  return el;
}
export function swatch(label) {
  const el = make("span", "swatch");
  el.style.backgroundColor = colourOf(label);
  el.setAttribute("aria-hidden", "true");
  return el;
}
export function actionButton(text, action, extra) {
  const b = make("button", "button small" + (extra ? " " + extra : ""), text);
  b.type = "button";
  b.setAttribute("data-ent-action", action);
  return b;
}

// DOM positions ↔ UTF-16 offsets in a cell ------------------------------------------
export function u16Within(cell, node, offset) {
  const range = document.createRange();
  range.setStart(cell, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}
export function domPoint(cell, u16) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  let node, seen = 0, last = null;
  while ((node = walker.nextNode())) {
    if (seen + node.length >= u16) { return { node: node, offset: u16 - seen }; }
    seen += node.length;
    last = node;
  }
  return last ? { node: last, offset: last.length } : { node: cell, offset: 0 };
}
export function domRange(cell, model, start, end) {
  const a = domPoint(cell, model.toU16[start]);
  const b = domPoint(cell, model.toU16[end]);
  const range = document.createRange();
  range.setStart(a.node, a.offset);
  range.setEnd(b.node, b.offset);
  return range;
}
export function select(range) {
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
// The text position under a point of the viewport (a tap): {node, offset}, or null.
export function caretAt(x, y) {
  if (document.caretPositionFromPoint) {
    const p = document.caretPositionFromPoint(x, y);
    return p && p.offsetNode ? { node: p.offsetNode, offset: p.offset } : null;
  }
  if (document.caretRangeFromPoint) {
    const r = document.caretRangeFromPoint(x, y);
    return r ? { node: r.startContainer, offset: r.startOffset } : null;
  }
  return null;
}

// A floating box (the palette, the menu) under `rect`, lined up with where the
// reading starts, and always inside the viewport: never wider than it, moved in
// from either edge, above the rect when there is no room below. `rect` may be a
// list of rects to keep clear, best first: the first with room under or over it
// is used (a tap's menu keeps clear of the whole paragraph when it can, so the
// other side's entity can be tapped to link).
export function place(box, rect, rightToLeft) {
  const margin = 8;
  const viewWidth = document.documentElement.clientWidth;
  const viewHeight = window.innerHeight;
  box.style.maxWidth = "";
  if (box.offsetWidth > viewWidth - 2 * margin) { box.style.maxWidth = (viewWidth - 2 * margin) + "px"; }
  const width = box.offsetWidth;
  const height = box.offsetHeight;
  const rects = Array.isArray(rect) ? rect : [rect];
  function below(r) { return r.bottom + 6; }
  function above(r) { return (r.top === undefined ? r.bottom : r.top) - 6 - height; }
  function fits(top) { return top >= margin && top + height <= viewHeight - margin; }
  let chosen = null, top = null;
  for (let i = 0; i < rects.length && top === null; i++) {
    if (fits(below(rects[i]))) { chosen = rects[i]; top = below(chosen); }
    else if (fits(above(rects[i]))) { chosen = rects[i]; top = above(chosen); }
  }
  if (top === null) { // no room either side: as near under the last rect as the screen allows
    chosen = rects[rects.length - 1];
    top = Math.max(margin, Math.min(below(chosen), viewHeight - height - margin));
  }
  let left = rightToLeft ? chosen.right - width : chosen.left;
  left = Math.max(margin, Math.min(left, viewWidth - width - margin));
  box.style.left = (left + window.scrollX) + "px";
  box.style.top = (top + window.scrollY) + "px";
}
