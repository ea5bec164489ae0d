// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-select-all]").forEach((button) => {
    button.addEventListener("click", () => {
      const boxes = document.querySelectorAll(`input[type=checkbox][name="${button.dataset.selectAll}"]`);
      const check = Array.from(boxes).some((box) => !box.checked);
      boxes.forEach((box) => { box.checked = check; });
    });
  });
  document.querySelectorAll("button[data-confirm]").forEach((button) => {
    button.form.addEventListener("submit", (event) => {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
});
