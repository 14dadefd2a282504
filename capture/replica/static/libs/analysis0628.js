/* Stand-in for NetEase's page analytics: it would send a page view; the replica sends nothing. */
(function () { "use strict"; window._ntes_nacc = window._ntes_nacc || "replica"; })();
