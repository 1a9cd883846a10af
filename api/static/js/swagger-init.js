// Starts Swagger UI on the interactive API documentation page, from the settings in the
// container's data attributes (no inline script: the page's policy allows none). In Chinese,
// each operation's summary is replaced by its Chinese summary before the document is shown.
(function () {
  "use strict";

  function localise(spec, summaries) {
    Object.keys(spec.paths || {}).forEach(function (path) {
      var item = spec.paths[path];
      Object.keys(item).forEach(function (method) {
        var zh = summaries[method.toUpperCase() + " " + path];
        if (zh && item[method] && typeof item[method] === "object") {
          item[method].summary = zh;
        }
      });
    });
    return spec;
  }

  function start() {
    var container = document.getElementById("swagger-ui-container");
    var settings = JSON.parse(container.getAttribute("data-config") || "{}");
    var summaries = JSON.parse(container.getAttribute("data-summaries") || "{}");
    fetch(container.getAttribute("data-spec-url"), { credentials: "omit" })
      .then(function (answer) {
        if (!answer.ok) throw new Error("openapi.json: HTTP " + answer.status);
        return answer.json();
      })
      .then(function (spec) {
        var config = {
          spec: localise(spec, summaries),
          dom_id: "#swagger-ui-container",
          presets: [SwaggerUIBundle.presets.apis],
          layout: "BaseLayout",
          validatorUrl: null, // the default would fetch a badge from another host
          persistAuthorization: false // a token stays in this page's memory only
        };
        Object.keys(settings).forEach(function (name) { config[name] = settings[name]; });
        window.ui = SwaggerUIBundle(config);
      })
      .catch(function (error) {
        container.textContent = error.message;
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
