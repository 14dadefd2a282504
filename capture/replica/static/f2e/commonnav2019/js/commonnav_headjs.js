/* Stand-in for the common top nav script: the app menu, the channel pop-ups and the quick-nav open on
   hover (class ntes-nav-select-hover), as the real nav does. No network, no clocks. */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".js_N_navSelect, .ntes-nav-quick-navigation"), function (el) {
    el.addEventListener("mouseenter", function () { el.classList.add("ntes-nav-select-hover"); });
    el.addEventListener("mouseleave", function () { el.classList.remove("ntes-nav-select-hover"); });
  });
})();
