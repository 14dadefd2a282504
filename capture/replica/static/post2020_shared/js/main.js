/* post2020 page script: tab switching, then the values the real page fills after load
   (跟贴 count, 热点推荐 list) from the replica's JSON endpoints. Like the real page it sets no
   readiness flag: captures wait for the body and a quiet window. No clocks, no randomness. */
(function () {
  "use strict";
  var match = /\/([0-9A-Z]{16})\.html$/.exec(location.pathname);
  var docid = match ? match[1] : "";

  function each(sel, fn, scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll(sel), fn);
  }

  function make(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function initTabs() {
    each(".js-tab-mod", function (mod) {
      var tabs = mod.querySelectorAll(".js-tab");
      var panels = mod.querySelectorAll(".js-content");
      var event = mod.getAttribute("data-event") || "click";
      Array.prototype.forEach.call(tabs, function (tab, i) {
        tab.addEventListener(event, function () {
          Array.prototype.forEach.call(tabs, function (t, j) { t.classList.toggle("active", i === j); });
          Array.prototype.forEach.call(panels, function (p, j) { p.classList.toggle("active", i === j); });
        });
      });
    });
  }

  function getJSON(url) {
    return fetch(url, { cache: "no-store" }).then(function (resp) {
      if (!resp.ok) throw new Error(url + " answered " + resp.status);
      return resp.json();
    });
  }

  function fillTie() {
    return getJSON("/api/tie/" + docid + ".json").then(function (data) {
      each(".js-tiejoincount", function (el) { el.textContent = String(data.tcount); });
    });
  }

  function hotItem(item) {
    var box = make("div", "post_recommend_new");
    var link = make("a", "post_recommend_img");
    link.href = item.url || "javascript:;";
    link.title = item.title;
    var img = make("img");
    img.src = item.img;
    img.alt = item.title;
    img.width = 140;
    img.height = 88;
    link.appendChild(img);
    var h3 = make("h3");
    var a = make("a", "", item.title);
    a.href = item.url || "javascript:;";
    h3.appendChild(a);
    box.appendChild(link);
    box.appendChild(h3);
    box.appendChild(make("span", "post_recommend_source", item.source));
    box.appendChild(make("div", "post_recommend_time", item.time));
    return box;
  }

  function fillHot() {
    var list = document.getElementById("js_post_recommend_hot");
    if (!list) return Promise.resolve();
    return getJSON("/api/hot/" + docid + ".json").then(function (data) {
      data.items.forEach(function (item) { list.appendChild(hotItem(item)); });
    });
  }

  function settle(promise) {
    return promise.catch(function (err) {
      if (window.console) console.warn("replica:", err && err.message);
    });
  }

  function start() {
    initTabs();
    settle(fillTie());
    settle(fillHot());
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
