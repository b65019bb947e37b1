// Starts the Swagger UI of /api/v1/docs with the settings the page carries as JSON
// (templates/swagger_ui.html): no inline script, so the Content-Security-Policy holds there too.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-ui-config").textContent);
  window.addEventListener("load", function () {
    window.ui = window.SwaggerUIBundle(config);
  });
})();
