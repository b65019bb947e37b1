// The memory panel's word-by-word difference (app/static/memory/diff.js) and its keyword-in-context lines
// (app/static/memory/kwic.js): pure modules, as the workspace uses them.
import { test } from "node:test";
import assert from "node:assert/strict";

import { wordDiff, differingWords, utf16Index, words } from "../../app/static/memory/diff.js";
import { kwicLine, guessLang } from "../../app/static/memory/kwic.js";

test("a reviewer sees which words of a match differ from this paragraph, in reading order", () => {
  const here = "موسكو، 15 أبريل. أعلنت وزارة الخارجية الروسية أن الوزير سيزور أنقرة الأسبوع المقبل.";
  const match = "موسكو، 14 أبريل. أعلنت وزارة الخارجية الروسية أن الوزير سيزور طهران الأسبوع المقبل.";
  const ops = wordDiff(here, match);
  assert.deepEqual(ops, [
    { op: "same", text: "موسكو،" },
    { op: "match", text: "14" }, { op: "here", text: "15" },
    { op: "same", text: "أبريل. أعلنت وزارة الخارجية الروسية أن الوزير سيزور" },
    { op: "match", text: "طهران" }, { op: "here", text: "أنقرة" },
    { op: "same", text: "الأسبوع المقبل." }
  ]);
  assert.deepEqual(differingWords(ops), { here: 2, match: 2 });
});

test("spelling the memory's normalisation ignores (hamza, harakat, tatweel, Arabic-Indic digits, punctuation) is no difference", () => {
  const ops = wordDiff("مُوسكو، ١٤ ابريل الروسيـة", "موسكو 14 أبريل الروسية");
  assert.deepEqual(ops, [{ op: "same", text: "موسكو 14 أبريل الروسية" }]);
  assert.deepEqual(differingWords(ops), { here: 0, match: 0 });
});

test("words only in the match or only here are kept whole, runs joined", () => {
  assert.deepEqual(wordDiff("قال الوزير", "قال الوزير أمس في بيان"), [
    { op: "same", text: "قال الوزير" }, { op: "match", text: "أمس في بيان" }]);
  assert.deepEqual(wordDiff("", "نص"), [{ op: "match", text: "نص" }]);
  assert.deepEqual(wordDiff("نص", ""), [{ op: "here", text: "نص" }]);
  assert.deepEqual(words("  a \n b  "), ["a", "b"]);
});

test("a very long paragraph is compared without a quadratic blow-up beyond 400 words", () => {
  const long = Array.from({ length: 1000 }, (_, i) => "كلمة" + i).join(" ");
  const ops = wordDiff(long, long);
  assert.equal(ops[0].op, "same");
  assert.equal(differingWords(ops).here, 600);
});

test("the API's code point offsets become UTF-16 indices past characters outside the BMP", () => {
  const text = "😀 وزارة الخارجية";
  assert.equal(utf16Index(text, 2), 3);
  assert.equal(text.slice(utf16Index(text, 2), utf16Index(text, 7)), "وزارة");
  assert.equal(utf16Index("abc", 10), 3);
});

test("a concordance hit is cut around its first span, widened to whole words, the hits marked", () => {
  const text = "قال المتحدث باسم وزارة الخارجية الإيرانية إن المحادثات ستتناول التعاون";
  const start = text.indexOf("وزارة"), end = text.indexOf(" إن");
  const line = kwicLine(text, [[start, end]], 10);
  assert.equal(line.before, "المتحدث باسم ");
  assert.deepEqual(line.parts, [{ text: "وزارة الخارجية الإيرانية", hit: true }]);
  assert.equal(line.after, " إن المحادثات");
  assert.ok(line.cutBefore && line.cutAfter);
});

test("several spans in the window are each marked, text between them kept", () => {
  const line = kwicLine("the minister and the minister's aide", [[4, 12], [21, 29]], 40);
  assert.deepEqual(line.parts, [{ text: "minister", hit: true }, { text: " and the ", hit: false },
                                { text: "minister", hit: true }]);
  assert.equal(line.after, "'s aide");
  assert.equal(line.before, "the ");
  assert.ok(!line.cutBefore && !line.cutAfter);
});

test("a hit without spans is shown whole; the search side is guessed from the letters typed", () => {
  assert.deepEqual(kwicLine("text", [], 5).parts, [{ text: "text", hit: false }]);
  assert.equal(guessLang("وزارة الخارجية"), "ar");
  assert.equal(guessLang("foreign ministry"), "en");
});
