// Word-by-word difference between this paragraph's Arabic (the part a memory match covers) and the match's
// Arabic, for the workspace's memory panel (static/memory/main.js). Pure (no DOM), unit-tested in Node
// (tests/js/memory-diff.test.mjs). Words are the runs between white space; two words are the same when their
// folds agree (static/way/search-text.js: alef forms, ta marbuta, alef maqsura, harakat, tatweel,
// Arabic-Indic digits, case — the memory's own normalisation) once punctuation is set aside, so a match that
// differs only in those shows no difference, as its score of 100% says.
import { foldForSearch } from "../way/search-text.js";

const MAX_WORDS = 400; // beyond this (per side), the rest is shown as one difference: no quadratic blow-up

export function words(text) {
  return (text || "").split(/\s+/).filter(function (word) { return word.length > 0; });
}

export function wordKey(word) {
  const folded = foldForSearch(word).text;
  const bare = folded.replace(/[^\p{L}\p{N}]+/gu, "");
  return bare || folded;
}

// [{op, text}] in reading order: op "same" (in both), "here" (only in this paragraph's part), "match" (only
// in the match); runs of one op joined by single spaces; "same" keeps the match's spelling.
export function wordDiff(here, match) {
  const a = words(here), b = words(match);
  const headA = a.slice(0, MAX_WORDS), headB = b.slice(0, MAX_WORDS);
  const ka = headA.map(wordKey), kb = headB.map(wordKey);
  const n = ka.length, m = kb.length;
  // LCS table from the end: lcs[i][j] = the longest common run of ka[i:] and kb[j:].
  const lcs = [];
  for (let i = 0; i <= n; i++) { lcs.push(new Uint16Array(m + 1)); }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = ka[i] === kb[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ka[i] === kb[j]) { push(ops, "same", headB[j]); i++; j++; }
    else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) { push(ops, "match", headB[j]); j++; }
    else { push(ops, "here", headA[i]); i++; }
  }
  if (a.length > MAX_WORDS) { push(ops, "here", a.slice(MAX_WORDS).join(" ")); }
  if (b.length > MAX_WORDS) { push(ops, "match", b.slice(MAX_WORDS).join(" ")); }
  return ops;
}

function push(ops, op, text) {
  const last = ops[ops.length - 1];
  if (last && last.op === op) { last.text += " " + text; } else { ops.push({ op: op, text: text }); }
}

// How many words differ on each side: {here, match}.
export function differingWords(ops) {
  const count = { here: 0, match: 0 };
  ops.forEach(function (part) { if (part.op !== "same") { count[part.op] += words(part.text).length; } });
  return count;
}

// Python str offsets (code points) → this string's UTF-16 indices: the API's offsets are the server's.
export function utf16Index(text, codePoints) {
  let index = 0;
  for (let n = 0; n < codePoints && index < text.length; n++) {
    const code = text.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff && index + 1 < text.length ? 2 : 1;
  }
  return index;
}
