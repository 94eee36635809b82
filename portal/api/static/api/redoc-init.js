// Starts Redoc on the schema named by the container's data-schema-url (no inline script:
// the CSP allows scripts from the portal only).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  window.Redoc.init(container.dataset.schemaUrl, {}, container);
})();
