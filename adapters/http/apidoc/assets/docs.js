// Renders the OpenAPI document with the vendored Redoc bundle (no other host is contacted).
(function () {
  "use strict";
  var el = document.getElementById("redoc");
  Redoc.init(el.getAttribute("data-spec-url"), {
    expandResponses: "200,201,202,204",
    jsonSampleExpandLevel: 3,
    pathInMiddlePanel: true,
    requiredPropsFirst: true,
    sortPropsAlphabetically: false,
    hideHostname: true,
    theme: { typography: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", headings: { fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" }, code: { fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace" } } }
  }, el, function (err) {
    if (err) { console.error("Redoc could not render the document:", err); }
  });
})();
