// A "Copy" button beside each one-time link shown on a page (invitation,
// new password). Without JavaScript, the link stays selectable.
(function () {
  "use strict";
  var fr = document.documentElement.lang !== "en";
  var inputs = document.querySelectorAll("input.copy");
  for (var i = 0; i < inputs.length; i++) {
    (function (input) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "secondary";
      b.textContent = fr ? "Copier le lien" : "Copy the link";
      b.addEventListener("click", function () {
        input.select();
        var done = function () { b.textContent = fr ? "Lien copié" : "Link copied"; };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
        } else {
          document.execCommand("copy");
          done();
        }
      });
      input.parentNode.appendChild(b);
    })(inputs[i]);
  }
})();
