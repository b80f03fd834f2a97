// Live counts: every element with data-count="inbox" or data-count="FLOW:STATE" is refreshed
// from /ui/counts.json every 10 seconds. Every page works without this script.
(function () {
  "use strict";
  function refresh() {
    fetch("/ui/counts.json", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        document.querySelectorAll("[data-count]").forEach(function (el) {
          var n = counts[el.getAttribute("data-count")];
          if (n !== undefined) el.textContent = String(n);
        });
      })
      .catch(function () {});
  }
  if (document.querySelector("[data-count]")) setInterval(refresh, 10000);
})();
