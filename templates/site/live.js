// Live reload for `upward serve`: reloads the page after each rebuild, and shows the errors of
// a build over the page until they are fixed. Served by upward serve only, never part of a site.
"use strict";
(function () {
  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.className = "upward-overlay";
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var title = document.createElement("strong");
    title.textContent = "The last change has errors; the site shows the last good version.";
    var pre = document.createElement("pre");
    pre.textContent = text;
    overlay.appendChild(title);
    overlay.appendChild(pre);
  }
  var source = new EventSource("/__upward/events");
  source.addEventListener("reload", function () { window.location.reload(); });
  source.addEventListener("problems", function (event) { show(event.data); });
})();
