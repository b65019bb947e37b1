// Starts the Swagger UI of /api/v1/docs with the settings the page carries as JSON
// (templates/swagger_ui.html): no inline script, so the Content-Security-Policy holds there too.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-ui-config").textContent);
  // Each operation's button is named by an aria-label ("get /api/v1/articles", with zero-width spaces) that
  // leaves out its visible summary, so a voice user saying what they see cannot reach it (axe:
  // label-content-name-mismatch): without the label the button is named by all it shows.
  function nameByContent(root) {
    root.querySelectorAll(".opblock-summary-control[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
    });
  }
  window.addEventListener("load", function () {
    window.ui = window.SwaggerUIBundle(config);
    var container = document.querySelector(config.dom_id);
    nameByContent(container);
    new MutationObserver(function () { nameByContent(container); })
      .observe(container, { childList: true, subtree: true });
  });
})();
