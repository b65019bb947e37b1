// Server calls: entities, links, QA. Each updates the paragraph's state and
// redraws it; a refusal is said in the status line and changes nothing here.
import { W, ARTICLE, say, stateOf, pidOf, rowById } from "./context.js";
import { rendered, rerender, renderQA } from "./render.js";

export function failed(result, prefix) { say(W.errorMessage(result, prefix)); }
export function offline() { say("The server could not be reached; nothing changed."); }

// suggestion: true when this accepts a suggestion (undone as such).
export function createEntity(row, lang, start, end, label, suggestion) {
  const st = stateOf(pidOf(row));
  const body = { lang: lang, start: start, end: end, label: label, unit: "str" };
  if (suggestion) { body.suggestion = true; }
  if (lang === "en") {
    const revision = parseInt(row.getAttribute("data-revision"), 10);
    if (revision) { body.revision_id = revision; }
  }
  return W.request("POST", "/paragraphs/" + pidOf(row) + "/entities", body).then(function (result) {
    if (result.status === 201) {
      st.entities.push(result.data);
      rerender(row);
      refreshQA(row);
      return result.data;
    }
    failed(result, "Not tagged");
    return null;
  }, function () { offline(); return null; });
}

export function reloadEntities(row) {
  const pid = pidOf(row);
  return W.request("GET", "/paragraphs/" + pid + "/entities").then(function (result) {
    if (result.status !== 200) { return; }
    const st = stateOf(pid);
    st.entities = result.data.entities || [];
    st.links = result.data.links || [];
    if (result.data.qa) { st.qa = result.data.qa; }
    rerender(row);
  });
}

// QA after a tagging change: the paragraph's findings are recomputed by the
// server on every entity or link write; the article is read once for many changes.
let qaPending = {};
let qaTimer = null;
export function refreshQA(row) {
  qaPending[pidOf(row)] = true;
  clearTimeout(qaTimer);
  qaTimer = setTimeout(function () {
    const wanted = qaPending;
    qaPending = {};
    fetchQA(wanted);
  }, 400);
}
export function fetchQA(wanted) {
  return W.request("GET", "/articles/" + ARTICLE).then(function (result) {
    if (result.status !== 200) { return; }
    (result.data.paragraphs || []).forEach(function (p) {
      if (!wanted[String(p.id)]) { return; }
      const st = stateOf(p.id);
      st.qa = p.qa || [];
      const r = rowById(p.id);
      if (r && rendered.has(r)) { renderQA(r, st.qa); }
    });
  }, function () { /* QA shows after the next change */ });
}

export function patchEntity(row, entity, body, done) {
  return W.request("PATCH", "/entities/" + entity.id, body).then(function (result) {
    if (result.status === 200) {
      entity.label = result.data.label;
      entity.flagged = result.data.flagged;
      rerender(row);
      say(done(result.data));
      return true;
    }
    failed(result, "Not changed");
    return false;
  }, offline);
}

export function deleteEntity(row, entity) {
  return W.request("DELETE", "/entities/" + entity.id).then(function (result) {
    if (result.status === 204) {
      const st = stateOf(pidOf(row));
      st.entities = st.entities.filter(function (e) { return e.id !== entity.id; });
      st.links = st.links.filter(function (l) { return l.ar_entity_id !== entity.id && l.en_entity_id !== entity.id; });
      rerender(row);
      refreshQA(row);
      say("Deleted " + entity.label + " «" + entity.text + "».");
      return true;
    }
    failed(result, "Not deleted");
    return false;
  }, offline);
}

export function link(row, a, b) {
  const ar = a.lang === "ar" ? a : b, en = a.lang === "ar" ? b : a;
  if (ar.lang !== "ar" || en.lang !== "en") { say("A link goes from an Arabic entity to an English one."); return Promise.resolve(false); }
  const st = stateOf(pidOf(row));
  return W.request("POST", "/entity-links", { ar_entity_id: ar.id, en_entity_id: en.id }).then(function (result) {
    if (result.status === 201) {
      st.links.push(result.data);
      rerender(row);
      refreshQA(row);
      say("Linked «" + ar.text + "» → «" + en.text + "» (link " + st.links.length + ").");
      return true;
    }
    failed(result, "Not linked");
    return false;
  }, offline);
}

export function unlink(row, arId, enId) {
  const st = stateOf(pidOf(row));
  return W.request("DELETE", "/entity-links", { ar_entity_id: arId, en_entity_id: enId }).then(function (result) {
    if (result.status === 204) {
      st.links = st.links.filter(function (l) { return !(l.ar_entity_id === arId && l.en_entity_id === enId); });
      rerender(row);
      refreshQA(row);
      say("Link removed.");
      return true;
    }
    failed(result, "Link not removed");
    return false;
  }, offline);
}
