/* Stand-in for the ad tracker: it would count ad impressions; the replica's ad slots stay empty. */
(function () { "use strict"; window.NTES_ADTRACKER = { slots: document.querySelectorAll(".at_item").length }; })();
