/* post2020 page script: tab switching, then what the real page fills after load: the 热点推荐 list (refreshed),
   the 付费专栏 items (inserted into 相关推荐 from the page's own data, as the real page inserts
   /dy/paidCollect/ items) and the city of 本地新闻 (from ipservice.ws.126.net's JSONP answer; when that
   host is blocked the module keeps its default city). The 跟贴 count is the comment SDK's (tie-sdk).
   Like the real page it sets no readiness flag. No clocks, no randomness. */
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

  function link(cls, item) {
    var a = make("a", cls);
    a.href = item.url || "javascript:;";
    a.title = item.title;
    return a;
  }

  function hotItem(item) {
    var box = make("div", "post_recommend_new");
    var imgLink = link("post_recommend_img", item);
    var img = make("img");
    img.src = item.img;
    img.alt = item.title;
    img.width = 140;
    img.height = 88;
    imgLink.appendChild(img);
    var h3 = make("h3");
    var a = link("", item);
    a.textContent = item.title;
    h3.appendChild(a);
    box.appendChild(imgLink);
    box.appendChild(h3);
    box.appendChild(make("span", "post_recommend_source", item.source));
    box.appendChild(make("div", "post_recommend_time", item.time));
    return box;
  }

  function fillHot() {
    var list = document.querySelector(".post_recommend_news_hot");
    if (!list || !docid) return Promise.resolve();
    return getJSON("/api/hot/" + docid + ".json").then(function (data) {
      /* The list in the page is refreshed with the latest answer, as the real page refreshes it. */
      while (list.firstChild) list.removeChild(list.firstChild);
      data.items.forEach(function (item) { list.appendChild(hotItem(item)); });
    });
  }

  function paidItem(item) {
    var li = make("li", "post_recommend post_recommend_paid");
    var info = make("div", "post_recommend_info");
    var h3 = make("h3", "post_recommend_title");
    var a = link("", item);
    a.textContent = item.title;
    h3.appendChild(a);
    info.appendChild(h3);
    var time = make("p", "post_recommend_time");
    time.appendChild(make("span", "post_recommend_source", "付费专栏"));
    time.appendChild(document.createTextNode(" "));
    time.appendChild(make("span", "post_recommend_date", item.time));
    info.appendChild(time);
    li.appendChild(info);
    return li;
  }

  function insertPaid() {
    var data = document.getElementById("js_paid_collect");
    var list = document.querySelector(".post_recommends_list");
    if (!data || !list) return;
    JSON.parse(data.textContent).forEach(function (item) {
      var before = list.children[item.at] || null;
      list.insertBefore(paidItem(item), before);
    });
  }

  window.getLocByIpCallback = function (answer) {
    var city = answer && answer.result && answer.result.city;
    if (!city) return;
    each(".js_local_news .post_side_mod_item a", function (a) {
      a.textContent = a.textContent.replace(/^[^：]+：/, city + "：");
    });
  };

  function askLocation() {
    if (!document.querySelector(".js_local_news")) return;
    var s = document.createElement("script");
    s.src = "https://ipservice.ws.126.net/locate/api/getLocByIp?callback=getLocByIpCallback";
    document.body.appendChild(s);
  }

  function settle(promise) {
    return promise.catch(function (err) {
      if (window.console) console.warn("replica:", err && err.message);
    });
  }

  function start() {
    initTabs();
    insertPaid();
    askLocation();
    settle(fillHot());
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
