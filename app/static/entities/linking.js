// Which entity of the other language an entity most likely renders: the link
// choices of the entity menu are offered best first, and the keyboard lands on
// the first, so linking a pair is Enter (the menu) and Enter (the link).
// Pure: no DOM, unit-tested in Node (tests/js/linking.test.mjs).
//
// Best first: the same label; then one not yet linked to anything (a name is
// usually rendered once); then the nearest in relative position (a word 30 %
// into the Arabic is most likely about 30 % into the English); then text order.

// entity: {id, lang, start, label}; candidates: entities of the other language;
// links: [{ar_entity_id, en_entity_id}]; lengths: {ar: n, en: n}, the cells'
// lengths in the same unit as the offsets. Returns a new, sorted array.
export function rankLinkCandidates(entity, candidates, links, lengths) {
  const linked = new Set();
  links.forEach(function (l) { linked.add(l.ar_entity_id); linked.add(l.en_entity_id); });
  function where(e) { const n = lengths[e.lang] || 0; return n > 0 ? e.start / n : 0; }
  const here = where(entity);
  return candidates.map(function (c, index) {
    return { c: c, index: index, label: c.label === entity.label ? 0 : 1, taken: linked.has(c.id) ? 1 : 0,
             distance: Math.abs(where(c) - here) };
  }).sort(function (a, b) {
    return (a.label - b.label) || (a.taken - b.taken) || (a.distance - b.distance) || (a.index - b.index);
  }).map(function (scored) { return scored.c; });
}
