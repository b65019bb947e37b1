// The text model of a cell, and words: pure functions, no DOM (unit-tested in
// Node: tests/js/offsets.test.mjs).
//
// Offsets. The server counts Python str indices — code points — over NFC text,
// end exclusive; the DOM counts UTF-16 code units. Each cell's text gets a model
// (its code points, a code point → UTF-16 map and the way back) and every offset
// crosses that boundary through it: highlights are cut at UTF-16 offsets,
// selections are read as UTF-16 offsets, snapped, and sent as code-point offsets
// (`unit: "str"`). A character outside the BMP (𝕏, emoji) counts 1 for the
// server and 2 for the DOM; diacritics and tatweel count 1 each on both sides.
//
// Snapping a selection to words (the same words the keyboard cursor steps through):
// - a word is a run of letters, combining marks (Arabic diacritics, U+0670),
//   digits, tatweel (U+0640), ZWNJ/ZWJ, %, ٪, ‰ and currency signs; a ".", ",",
//   "٫" or "٬" between two digits belongs to the number (28.2, ٢٨٫٢, ٢٨.2, 1,000);
// - an edge of the selection that falls inside a word moves outwards to that
//   word's edge, so diacritics and tatweel always stay with their word;
// - then spaces and punctuation at either end are trimmed (quotes, brackets,
//   «», ، ؛ ؟ . , : ; ! ? - …); inner ones stay ("Al-Assad", "U.S").
// - a selection of only spaces or punctuation tags nothing.

// The model of a text: {text, cps (code points), toU16 (code point index → UTF-16
// offset, length cps + 1), toCp (UTF-16 offset → code point index; -1 inside a
// surrogate pair), tokens (the words, filled by tokensOf)}.
export function textModel(text) {
  const cps = Array.from(text);
  const toU16 = new Array(cps.length + 1);
  const toCp = new Array(text.length + 1);
  let u = 0;
  for (let i = 0; i < cps.length; i++) {
    toU16[i] = u;
    toCp[u] = i;
    if (cps[i].length === 2) { toCp[u + 1] = -1; } // inside a surrogate pair
    u += cps[i].length;
  }
  toU16[cps.length] = u;
  toCp[u] = cps.length;
  return { text: text, cps: cps, toU16: toU16, toCp: toCp, tokens: null };
}

// A UTF-16 offset as a code point index; one inside a surrogate pair rounds out
// (up with roundUp, else down).
export function cpAt(model, u16, roundUp) {
  let cp = model.toCp[u16];
  if (cp === -1) { cp = model.toCp[u16 + (roundUp ? 1 : -1)]; }
  return cp;
}

const WORD = /[\p{L}\p{M}\p{N}\p{Sc}%٪‰\u200C\u200D]/u;
const NUMBER_JOIN = /^[.,٫٬]$/;
const DIGIT = /\p{Nd}/u;

// Whether code point i of cps belongs to a word.
export function isWord(cps, i) {
  if (i < 0 || i >= cps.length) { return false; }
  if (WORD.test(cps[i])) { return true; }
  return NUMBER_JOIN.test(cps[i]) && i > 0 && i + 1 < cps.length && DIGIT.test(cps[i - 1]) && DIGIT.test(cps[i + 1]);
}

// [start, end) in code points, snapped to whole words; null when it holds no word.
export function snap(model, start, end) {
  const cps = model.cps;
  if (isWord(cps, start - 1) && isWord(cps, start)) { while (start > 0 && isWord(cps, start - 1)) { start--; } }
  if (isWord(cps, end - 1) && isWord(cps, end)) { while (end < cps.length && isWord(cps, end)) { end++; } }
  while (start < end && !isWord(cps, start)) { start++; }
  while (end > start && !isWord(cps, end - 1)) { end--; }
  return end > start ? { start: start, end: end } : null;
}

// The words of the text, in logical order: [{start, end}] in code points (cached on the model).
export function tokensOf(model) {
  if (model.tokens) { return model.tokens; }
  const tokens = [];
  const cps = model.cps;
  let i = 0;
  while (i < cps.length) {
    if (!isWord(cps, i)) { i++; continue; }
    const start = i;
    while (i < cps.length && isWord(cps, i)) { i++; }
    tokens.push({ start: start, end: i });
  }
  model.tokens = tokens;
  return tokens;
}

// The index of the word holding code point cp, or -1 (a space, punctuation).
export function tokenAt(model, cp) {
  const tokens = tokensOf(model);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].start <= cp && cp < tokens[i].end) { return i; }
  }
  return -1;
}

// The words from token a to token b (either order), as a code point span.
export function spanOfTokens(model, a, b) {
  const tokens = tokensOf(model);
  const lo = Math.min(a, b), hi = Math.max(a, b);
  return { start: tokens[lo].start, end: tokens[hi].end };
}

export function slice(model, start, end) { return model.cps.slice(start, end).join(""); }
