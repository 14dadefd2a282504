/* Stand-in for the search box script: submitting #netease_search opens the site search. */
(function () {
  "use strict";
  var form = document.querySelector("#netease_search form");
  if (!form) return;
  form.addEventListener("submit", function (ev) {
    var box = form.querySelector("input[name=keyword]");
    if (!box || !box.value.trim()) ev.preventDefault();
  });
})();
