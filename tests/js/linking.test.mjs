// The order of the link choices in the entity menu (app/static/entities/linking.js):
// the keyboard lands on the first, so it must be the likeliest rendering.
import { test } from "node:test";
import assert from "node:assert/strict";

import { rankLinkCandidates } from "../../app/static/entities/linking.js";

const LENGTHS = { ar: 100, en: 120 };
function en(id, start, label) { return { id: id, lang: "en", start: start, label: label }; }
function ids(list) { return list.map((e) => e.id); }

test("a candidate of the same label comes before one of another label, wherever it is", () => {
  const moscow = { id: 1, lang: "ar", start: 50, label: "LOC" };
  const ranked = rankLinkCandidates(moscow, [en(10, 60, "ORG"), en(11, 5, "LOC")], [], LENGTHS);
  assert.deepEqual(ids(ranked), [11, 10]);
});

test("among the same label, one not yet linked comes first", () => {
  const moscow = { id: 1, lang: "ar", start: 50, label: "LOC" };
  const links = [{ ar_entity_id: 2, en_entity_id: 10 }];
  const ranked = rankLinkCandidates(moscow, [en(10, 60, "LOC"), en(11, 110, "LOC")], links, LENGTHS);
  assert.deepEqual(ids(ranked), [11, 10]);
});

test("then the nearest in relative position: halfway into the Arabic is about halfway into the English", () => {
  const second = { id: 1, lang: "ar", start: 50, label: "PER" };
  const ranked = rankLinkCandidates(second, [en(10, 6, "PER"), en(11, 118, "PER"), en(12, 62, "PER")], [], LENGTHS);
  assert.deepEqual(ids(ranked), [12, 10, 11]);
});

test("from English to Arabic the same rules hold, and ties keep the text order", () => {
  const gazprom = { id: 10, lang: "en", start: 0, label: "ORG" };
  const ar = [{ id: 1, lang: "ar", start: 0, label: "ORG" }, { id: 2, lang: "ar", start: 0, label: "ORG" }];
  assert.deepEqual(ids(rankLinkCandidates(gazprom, ar, [], LENGTHS)), [1, 2]);
  assert.deepEqual(ids(rankLinkCandidates(gazprom, [], [], LENGTHS)), []);
});

test("the candidates given are not reordered in place", () => {
  const candidates = [en(10, 60, "ORG"), en(11, 5, "LOC")];
  rankLinkCandidates({ id: 1, lang: "ar", start: 0, label: "LOC" }, candidates, [], {});
  assert.deepEqual(ids(candidates), [10, 11]);
});
