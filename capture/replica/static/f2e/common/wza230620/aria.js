/* Stand-in for the vendor 无障碍 toolbar: clicking 无障碍浏览 (#cniil_wza) opens a fixed toolbar,
   puts class ariabodytopfiexed on <body> (as the real one does) and enlarges the article text;
   clicking it again, or 关闭, closes it. Zoom steps live in body[data-wza-zoom]. */
(function () {
  "use strict";
  var OPEN_CLASS = "ariabodytopfiexed";
  var TOOLBAR_ID = "cniil_wza_toolbar";

  function zoom(step) {
    var body = document.body;
    var now = parseInt(body.getAttribute("data-wza-zoom") || "1", 10);
    var next = Math.max(1, Math.min(3, now + step));
    body.setAttribute("data-wza-zoom", String(step === 0 ? 1 : next));
  }

  function button(label, act) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.setAttribute("data-act", act);
    return b;
  }

  function open() {
    var bar = document.createElement("div");
    bar.id = TOOLBAR_ID;
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "无障碍工具条");
    bar.appendChild(button("放大", "zoomin"));
    bar.appendChild(button("缩小", "zoomout"));
    bar.appendChild(button("重置", "reset"));
    bar.appendChild(button("关闭", "close"));
    bar.addEventListener("click", function (ev) {
      var act = ev.target && ev.target.getAttribute && ev.target.getAttribute("data-act");
      if (act === "zoomin") zoom(1);
      else if (act === "zoomout") zoom(-1);
      else if (act === "reset") zoom(0);
      else if (act === "close") close();
    });
    document.body.insertBefore(bar, document.body.firstChild);
    document.body.classList.add(OPEN_CLASS);
    document.body.setAttribute("data-wza-zoom", "1");
  }

  function close() {
    var bar = document.getElementById(TOOLBAR_ID);
    if (bar) bar.parentNode.removeChild(bar);
    document.body.classList.remove(OPEN_CLASS);
    document.body.removeAttribute("data-wza-zoom");
  }

  function toggle(ev) {
    if (ev) ev.preventDefault();
    if (document.getElementById(TOOLBAR_ID)) close();
    else open();
  }

  var link = document.getElementById("cniil_wza");
  if (link) link.addEventListener("click", toggle);
})();
