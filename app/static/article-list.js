// The admin Articles list: "select all on this page" and the count of selected articles.
// Without this script each article's checkbox still works; only the shortcut is missing.
const form = document.querySelector("[data-bulk]");
if (form) {
  const all = form.querySelector("[data-select-all]");
  const boxes = () => [...form.querySelectorAll("[data-select]")];
  const count = form.querySelector("[data-selected-count]");
  const refresh = () => {
    const checked = boxes().filter((box) => box.checked).length;
    if (all) {
      all.checked = checked > 0 && checked === boxes().length;
      all.indeterminate = checked > 0 && checked < boxes().length;
    }
    if (count) count.textContent = checked ? `(${checked} selected)` : "";
  };
  if (all) {
    all.addEventListener("change", () => {
      for (const box of boxes()) box.checked = all.checked;
      refresh();
    });
  }
  form.addEventListener("change", (event) => {
    if (event.target.matches("[data-select]")) refresh();
  });
  refresh();
}
