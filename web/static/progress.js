// The progress of a batch being issued (a workshop's or a CSV import's),
// for the page that shows it: every 2 s, polls the batch's JSON progress
// (GET /batches/{id}/progress) and writes "N of M rows done" in the page's
// polite live region; once the batch is over, fetches the page once and
// puts in the parts that changed (data-live-part: the region, now with the
// links to the PDFs, and the rows' results), so the page is never reloaded
// under a screen reader's feet. Without JavaScript, the page refreshes
// itself (a meta refresh inside <noscript>).
(function () {
  "use strict";
  var region = document.querySelector("[data-progress]");
  if (!region || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = region.getAttribute("data-progress");
  var format = region.getAttribute("data-format") || "%d / %d";
  var text = region.querySelector("[data-progress-text]");
  var every = 2000;
  var delay = every;

  function show(done, total) {
    var n = 0;
    var s = format.replace(/%d/g, function () {
      n++;
      return String(n === 1 ? done : total);
    });
    if (text && text.textContent !== s) {
      text.textContent = s;
    }
  }

  function finish() {
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(String(r.status));
        }
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var parts = doc.querySelectorAll("[data-live-part]");
        for (var i = 0; i < parts.length; i++) {
          var here = parts[i].id && document.getElementById(parts[i].id);
          if (here) {
            here.innerHTML = parts[i].innerHTML;
          }
        }
      })
      .catch(function () {
        location.reload();
      });
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error(String(r.status));
        }
        return r.json();
      })
      .then(function (b) {
        show(b.done, b.total);
        if (b.status === "running") {
          delay = every;
          setTimeout(poll, delay);
        } else {
          finish();
        }
      })
      .catch(function () {
        // The server restarting, the network gone: try again, less often.
        delay = Math.min(delay * 2, 30000);
        setTimeout(poll, delay);
      });
  }

  setTimeout(poll, delay);
})();
