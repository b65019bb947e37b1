// Keyword in context for the concordance (static/memory/main.js): a hit's text cut around its first span,
// the spans inside the window marked. Pure (no DOM), unit-tested in Node (tests/js/memory-kwic.test.mjs).
// `spans` are the API's [start, end] in Python str offsets (code points) over `text`.
import { utf16Index } from "./diff.js";

// {before, parts: [{text, hit}], after, cutBefore, cutAfter}: `context` characters either side, widened to
// whole words; `parts` from the first span's start to the last span's end within the window.
export function kwicLine(text, spans, context) {
  context = context || 60;
  const ranges = (spans || []).map(function (span) { return [utf16Index(text, span[0]), utf16Index(text, span[1])]; })
    .filter(function (r) { return r[1] > r[0]; }).sort(function (x, y) { return x[0] - y[0]; });
  if (!ranges.length) {
    return { before: "", parts: [{ text: text, hit: false }], after: "", cutBefore: false, cutAfter: false };
  }
  const first = ranges[0];
  let start = Math.max(0, first[0] - context);
  while (start > 0 && !/\s/.test(text[start - 1])) { start--; }
  let limit = Math.min(text.length, first[1] + context);
  while (limit < text.length && !/\s/.test(text[limit])) { limit++; }
  const parts = [];
  let at = first[0];
  ranges.forEach(function (r) {
    if (r[0] < at || r[1] > limit) { return; } // overlapping or beyond the window
    if (r[0] > at) { parts.push({ text: text.slice(at, r[0]), hit: false }); }
    parts.push({ text: text.slice(r[0], r[1]), hit: true });
    at = r[1];
  });
  return { before: text.slice(start, first[0]), parts: parts, after: text.slice(at, limit),
           cutBefore: start > 0, cutAfter: limit < text.length };
}

// Arabic letters in the query: the concordance searches the Arabic side, else the English.
export function guessLang(query) {
  return /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/.test(query || "") ? "ar" : "en";
}
