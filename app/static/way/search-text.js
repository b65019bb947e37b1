// Search within an article: the fold of app/services/arabic.py (fold_for_search, search_hits), rule for rule,
// as a pure module (no DOM), unit-tested in Node with the same cases as the server (tests/support/search_cases.json).
// Folded per character: alef forms أ إ آ ٱ ٲ ٳ → ا, ta marbuta ة → ه, alef maqsura ى → ي, Persian ی → ي and
// ک → ك; harakat and other Arabic marks, Quranic marks, superscript alef, tatweel and invisible joiners removed;
// Arabic-Indic (٠–٩) and Eastern Arabic-Indic (۰–۹) digits as ASCII; typographic apostrophes and hyphens as
// ASCII; lower case; every run of white space as one space. Offsets are the string's own (UTF-16) indices.

const SUBSTITUTIONS = { "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك",
  "\u2019": "'", "\u2018": "'", "\u2010": "-", "\u2011": "-" };
for (let d = 0; d < 10; d++) {
  SUBSTITUTIONS[String.fromCharCode(0x0660 + d)] = String(d);
  SUBSTITUTIONS[String.fromCharCode(0x06f0 + d)] = String(d);
}
// Marks that belong to the letter before them, and tatweel (as _MARK_RANGES and TATWEEL in arabic.py).
const MARK = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff\u0640]/;
const INVISIBLE = /[\u200c\u200d\u200e\u200f\u061c]/;
const SPACE = /\s/;

export function isMark(char) { return MARK.test(char); }

// {text: the folded text, where: for each of its UTF-16 units, the index in `text` of the unit it came from}.
export function foldForSearch(text) {
  let out = "";
  const where = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (MARK.test(char) || INVISIBLE.test(char)) { continue; }
    if (SPACE.test(char)) {
      if (!space) { out += " "; where.push(i); }
      space = true;
      continue;
    }
    space = false;
    const folded = SUBSTITUTIONS[char] || char;
    const lower = folded.toLowerCase();
    out += lower.length === 1 ? lower : folded;
    where.push(i);
  }
  return { text: out, where: where };
}

// [[start, end], …]: each hit of `query` in `text`, leftmost first, not overlapping; end exclusive and taken
// over the marks after the hit's last letter.
export function searchHits(text, query) {
  const needle = foldForSearch(query).text.trim();
  if (!needle) { return []; }
  const folded = foldForSearch(text);
  const hits = [];
  let at = folded.text.indexOf(needle);
  while (at >= 0) {
    let end = folded.where[at + needle.length - 1] + 1;
    while (end < text.length && MARK.test(text[end])) { end++; }
    hits.push([folded.where[at], end]);
    at = folded.text.indexOf(needle, at + needle.length);
  }
  return hits;
}
