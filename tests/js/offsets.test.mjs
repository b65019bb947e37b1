// The text model under tagging (app/static/entities/offsets.js), in Node's own
// test runner: `make test` and `npm run test:js` run it (`node --test tests/js/`).
// The server counts code points (Python str indices); the DOM counts UTF-16 code
// units; a tag is snapped to whole words. These are the offsets a reviewer's
// selection becomes, so every case here is one a tag would get wrong.
import { test } from "node:test";
import assert from "node:assert/strict";

import { textModel, cpAt, isWord, snap, tokensOf, tokenAt, spanOfTokens, slice }
  from "../../app/static/entities/offsets.js";

// The words of `text` a selection [start, end) (code points) is snapped to, as text.
function snapped(text, start, end) {
  const model = textModel(text);
  const span = snap(model, start, end);
  return span && slice(model, span.start, span.end);
}
function words(text) {
  const model = textModel(text);
  return tokensOf(model).map((t) => slice(model, t.start, t.end));
}
// The code point offsets of `part` in `text`, as Python's text.index(part) counts.
function pythonSpan(text, part) {
  const u16 = text.indexOf(part);
  const start = Array.from(text.slice(0, u16)).length;
  return [start, start + Array.from(part).length];
}

test("an astral character counts one code point for the server and two UTF-16 units for the DOM", () => {
  const model = textModel("𝕏 Reuters");
  assert.equal(model.cps.length, 9);
  assert.equal(model.text.length, 10);
  assert.deepEqual(model.toU16.slice(0, 3), [0, 2, 3]);
  assert.equal(model.toCp[0], 0);
  assert.equal(model.toCp[1], -1, "the middle of the surrogate pair is no code point");
  assert.equal(model.toCp[3], 2);
  assert.equal(model.toU16[9], 10);
  assert.equal(model.toCp[10], 9);
  // "Reuters" is [2, 9) for the server although the DOM has it at [3, 10).
  assert.deepEqual(pythonSpan("𝕏 Reuters", "Reuters"), [2, 9]);
  assert.equal(slice(model, 2, 9), "Reuters");
});

test("a DOM offset inside a surrogate pair rounds out of it, down at a start and up at an end", () => {
  const model = textModel("a😀b");
  assert.equal(cpAt(model, 1, false), 1);
  assert.equal(cpAt(model, 2, false), 1, "inside the emoji, a start goes back to before it");
  assert.equal(cpAt(model, 2, true), 2, "inside the emoji, an end goes on past it");
  assert.equal(cpAt(model, 3, true), 2);
  assert.equal(cpAt(model, 4, true), 3);
});

test("emoji with a skin tone and flags: every code point maps both ways and back", () => {
  const text = "وصل 👍🏽 إلى 🇸🇾 اليوم";
  const model = textModel(text);
  assert.equal(model.cps.length, Array.from(text).length);
  for (let i = 0; i <= model.cps.length; i++) {
    assert.equal(model.toCp[model.toU16[i]], i, `code point ${i} round-trips`);
  }
  assert.equal(model.toU16[model.cps.length], text.length);
  assert.deepEqual(words(text), ["وصل", "إلى", "اليوم"], "emoji are not words");
});

test("Arabic diacritics, tatweel and the superscript alef stay with their word and count one each", () => {
  const text = "قالَ الرئيسُ الأسدُ إنَّ مـــصر هٰذا";
  assert.deepEqual(words(text), ["قالَ", "الرئيسُ", "الأسدُ", "إنَّ", "مـــصر", "هٰذا"]);
  const model = textModel(text);
  assert.equal(model.cps.length, text.length, "all of it is in the BMP: code points = UTF-16 units");
  // A selection ending before the damma of الرئيسُ takes the damma too.
  const [start, end] = pythonSpan(text, "الرئيسُ");
  assert.equal(snapped(text, start + 2, end - 1), "الرئيسُ");
  // Ending between the shadda and the fatha of إنَّ.
  const [s2, e2] = pythonSpan(text, "إنَّ");
  assert.equal(snapped(text, s2, e2 - 1), "إنَّ");
  // Inside the tatweel.
  const [s3] = pythonSpan(text, "مـــصر");
  assert.equal(snapped(text, s3 + 2, s3 + 3), "مـــصر");
});

test("a selection inside a word grows to the whole word; one over several words keeps them all", () => {
  const text = "President Bashar al-Assad said";
  assert.equal(snapped(text, 12, 13), "Bashar");
  assert.equal(snapped(text, 12, 22), "Bashar al-Assad");
  assert.equal(snapped(text, 12, 20), "Bashar al", "a hyphen at the edge is trimmed");
  assert.equal(snapped(text, 10, 16), "Bashar");
});

test("spaces and punctuation at either end are trimmed, inner ones stay", () => {
  assert.equal(snapped("he said «دمشق»، ثم", 8, 15), "دمشق");
  assert.equal(snapped("(the U.S.) said", 0, 10), "the U.S");
  assert.equal(snapped("visited \"Al-Assad\", then", 8, 19), "Al-Assad");
  assert.equal(snapped("هل وصل؟ نعم", 2, 7), "وصل");
  assert.equal(snapped("كان — في", 3, 6), null, "a dash and spaces are no word");
  assert.equal(snapped("a   b", 1, 4), null, "spaces only tag nothing");
});

test("numbers keep their decimal and thousands separators, Western and Arabic-Indic, with % and currency", () => {
  assert.deepEqual(words("rose 28.2% to 1,000 $ in 2020."), ["rose", "28.2%", "to", "1,000", "$", "in", "2020"]);
  assert.deepEqual(words("ارتفع ٢٨٫٢٪ إلى ٤٬٥ مليار، و٢٨.2"), ["ارتفع", "٢٨٫٢٪", "إلى", "٤٬٥", "مليار", "و٢٨.2"]);
  assert.equal(snapped("price 1,000.", 7, 12), "1,000", "a full stop after a number is trimmed");
  assert.equal(isWord(Array.from("1, 2"), 1), false, "a comma before a space is punctuation");
});

test("ZWNJ inside a word belongs to it", () => {
  assert.deepEqual(words("می\u200Cخواهم ok"), ["می\u200Cخواهم", "ok"]);
});

test("the word of a tapped character: the word holding it, none for a space or punctuation", () => {
  const model = textModel("قال الرئيس «الأسد»");
  assert.equal(tokenAt(model, 0), 0);
  assert.equal(tokenAt(model, 2), 0);
  assert.equal(tokenAt(model, 3), -1, "the space after قال");
  assert.equal(tokenAt(model, 6), 1);
  assert.equal(tokenAt(model, 12), 2);
  assert.equal(tokenAt(model, 11), -1, "on the «");
  assert.deepEqual(spanOfTokens(model, 2, 0), { start: 0, end: 17 }, "the last word may come before the first");
  assert.equal(slice(model, 0, 17), "قال الرئيس «الأسد");
});

test("the words of a text are cached on its model", () => {
  const model = textModel("one two");
  assert.equal(tokensOf(model), tokensOf(model));
  assert.deepEqual(tokensOf(model), [{ start: 0, end: 3 }, { start: 4, end: 7 }]);
});
