// Search within an article (app/static/way/search-text.js), with the very cases the server's
// fold_for_search / search_hits are tested with (tests/support/search_cases.json, tests/test_search_text.py):
// the page and the server fold Arabic alike.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { foldForSearch, searchHits } from "../../app/static/way/search-text.js";

const cases = JSON.parse(readFileSync(new URL("../support/search_cases.json", import.meta.url), "utf8"));

for (const [raw, folded] of cases.folds) {
  test(`a reviewer's search folds ${JSON.stringify(raw)} as the server does`, () => {
    assert.equal(foldForSearch(raw).text, folded);
  });
}

for (const c of cases.hits) {
  test(`searching ${JSON.stringify(c.query)} in ${JSON.stringify(c.text)} finds the server's hits`, () => {
    assert.deepEqual(searchHits(c.text, c.query), c.hits);
  });
}

test("every folded character maps back to a character of the original", () => {
  const text = "الْقُرْآنِ  الكريم";
  const { text: folded, where } = foldForSearch(text);
  assert.equal(where.length, folded.length);
  for (let i = 0; i < where.length; i++) { assert.ok(where[i] >= 0 && where[i] < text.length); }
});
