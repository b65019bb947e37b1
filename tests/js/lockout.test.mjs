// The countdown of the "too many attempts" page (app/static/lockout.js): the words it shows and the seconds
// left, in Node's own test runner (`node --test tests/js/`). The page itself is tested in the browser
// (tests/browser/test_reviewer_and_admin_details_in_browser.py).
import { test } from "node:test";
import assert from "node:assert/strict";

import { formatWait, secondsLeft } from "../../app/static/lockout.js";

test("under a minute the wait is in seconds, one second singular", () => {
  assert.equal(formatWait(59), "59 seconds");
  assert.equal(formatWait(1), "1 second");
  assert.equal(formatWait(0.2), "1 second");  // a part of a second left is still a second to wait
  assert.equal(formatWait(0), "0 seconds");
  assert.equal(formatWait(-3), "0 seconds");
});

test("from a minute up the wait is minutes and two-digit seconds", () => {
  assert.equal(formatWait(60), "1:00 minute");
  assert.equal(formatWait(61), "1:01 minutes");
  assert.equal(formatWait(305), "5:05 minutes");
  assert.equal(formatWait(900), "15:00 minutes");
});

test("the seconds left count from when the page began waiting, never below zero", () => {
  assert.equal(secondsLeft(60, 1000, 1000), 60);
  assert.equal(secondsLeft(60, 1000, 1500), 60);  // half a second in: still 60 to show
  assert.equal(secondsLeft(60, 1000, 2000), 59);
  assert.equal(secondsLeft(4, 0, 4000), 0);
  assert.equal(secondsLeft(4, 0, 9000), 0);
});
