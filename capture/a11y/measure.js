/* capture.a11y: what an elder reader meets on the page, measured from computed styles and layout.
   Evaluated by Playwright as `page.evaluate(source, {op, cfg, ...})`. Read-only, except that the
   keyboard walk ("focus-*" ops) moves focus, listens to Tab keys and, for one Tab press, puts
   tabindex=-1 on the main region so the walk starts there; "focus-finish" restores all three. Numbers are rounded so two loads of
   the same page give the same figures. */
(arg) => {
  "use strict";
  const cfg = arg.cfg;
  const r2 = (x) => (x === null || x === undefined || !isFinite(x) ? null : Math.round(x * 100) / 100);
  const median = (xs) => {
    if (!xs.length) return null;
    const s = xs.slice().sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const first = (sels) => {
    for (const sel of sels) { const el = document.querySelector(sel); if (el) return el; }
    return null;
  };
  // The element whose own <p> children hold the most text (first on a tie), like the care reader's.
  const densest = (sel) => {
    let best = null, most = 0;
    for (const el of document.querySelectorAll(sel)) {
      let n = 0;
      for (const c of el.children) if (c.tagName === "P") n += c.textContent.replace(/\s+/g, "").length;
      if (n > most) { best = el; most = n; }
    }
    return best;
  };
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean);
    if (cls.length) s += "." + cls.slice(0, 3).join(".");
    return s;
  };
  const label = (el) => ((el.getAttribute("aria-label") || el.innerText || el.getAttribute("title")
    || el.getAttribute("alt") || "").replace(/\s+/g, " ").trim()).slice(0, 40);
  const shown = (el) => {
    const cs = getComputedStyle(el);
    if (cs.display === "none" || cs.visibility === "hidden" || parseFloat(cs.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };

  // --- colour ------------------------------------------------------------------------------------
  const parseColor = (s) => {
    const m = /rgba?\(([^)]+)\)/.exec(s || "");
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[,\s/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (fg, bg) => {  // fg (with alpha) composited over an opaque bg
    const a = fg[3];
    return [fg[0] * a + bg[0] * (1 - a), fg[1] * a + bg[1] * (1 - a), fg[2] * a + bg[2] * (1 - a), 1];
  };
  const background = (el) => {  // the opaque colour behind el: ancestors' backgrounds, white canvas
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parseColor(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const luminance = (c) => {  // WCAG 2.x relative luminance
    const ch = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const contrast = (el) => {
    const bg = background(el);
    const fg = over(parseColor(getComputedStyle(el).color), bg);
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };

  // --- the figures ---------------------------------------------------------------------------------
  const measureStatic = () => {
    const body = first(cfg.body_selectors) || densest(cfg.body_containers);
    const paras = body ? Array.from(body.querySelectorAll("p")).filter(
      (p) => shown(p) && p.innerText.trim() && !p.querySelector("img, video, iframe")) : [];
    const sizes = [], ratios = [], contrasts = [], gaps = [], spacings = [];
    for (const p of paras) {
      const cs = getComputedStyle(p);
      const fs = parseFloat(cs.fontSize);
      const lh = cs.lineHeight === "normal" ? fs * 1.2 : parseFloat(cs.lineHeight);
      sizes.push(fs);
      ratios.push(lh / fs);
      contrasts.push(contrast(p));
    }
    for (let i = 0; i + 1 < paras.length; i++) {
      const a = paras[i], b = paras[i + 1];
      if (a.nextElementSibling !== b) continue;  // only paragraphs that follow each other
      const cs = getComputedStyle(a);
      const fs = parseFloat(cs.fontSize);
      const lh = cs.lineHeight === "normal" ? fs * 1.2 : parseFloat(cs.lineHeight);
      const gap = b.getBoundingClientRect().top - a.getBoundingClientRect().bottom;
      gaps.push(gap / lh);
      spacings.push((gap + lh) / lh);  // last baseline of a to first baseline of b, in line pitches
    }

    // ads: outermost elements matching an ad selector, iframes from ad hosts
    const adHost = (url) => {
      try {
        const h = new URL(url, location.href).hostname.toLowerCase();
        return cfg.ad_hosts.some((d) => h === d || h.endsWith("." + d));
      } catch (e) { return false; }
    };
    const adSel = cfg.ad_selectors.join(",");
    const adEls = Array.from(document.querySelectorAll(adSel)).filter(
      (el) => !(el.parentElement && el.parentElement.closest(adSel)));
    const iframes = Array.from(document.querySelectorAll("iframe"));
    const adIframes = iframes.filter((f) => adHost(f.src) || f.closest(adSel));

    // fixed/sticky boxes over the page: outermost only, visible, at least the size threshold
    const overlays = [];
    for (const el of document.body.querySelectorAll("*")) {
      const pos = getComputedStyle(el).position;
      if (pos !== "fixed" && pos !== "sticky") continue;
      if (!shown(el)) continue;
      let anc = el.parentElement, inside = false;
      for (; anc && anc !== document.body; anc = anc.parentElement) {
        const ap = getComputedStyle(anc).position;
        if (ap === "fixed" || ap === "sticky") { inside = true; break; }
      }
      if (inside) continue;
      const r = el.getBoundingClientRect();
      if (r.width * r.height < cfg.overlay_min_area) continue;
      overlays.push({ element: describe(el), position: pos, width: Math.round(r.width), height: Math.round(r.height) });
    }

    // inducement buttons (诱导下载/付款): links and buttons whose text matches a pattern
    const induce = new RegExp(cfg.inducement_pattern, "i");
    const inducements = Array.from(document.querySelectorAll("a, button, [role=button]"))
      .filter((el) => shown(el) && induce.test(label(el))).map((el) => label(el));

    const main = first(cfg.main_selectors) || document.body;
    const focusable = Array.from(main.querySelectorAll(
      "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])"))
      .filter((el) => !el.disabled && shown(el)).length;

    const imgs = body ? Array.from(body.querySelectorAll("img")) : [];
    const missingAlt = imgs.filter((i) => !i.hasAttribute("alt"));
    return {
      text: {
        paragraphs: paras.length,
        font_px: r2(median(sizes)),
        font_px_min: r2(sizes.length ? Math.min(...sizes) : null),
        line_height_ratio: r2(median(ratios)),
        line_height_ratio_min: r2(ratios.length ? Math.min(...ratios) : null),
        paragraph_gap_ratio: r2(median(gaps)),
        paragraph_spacing_ratio: r2(median(spacings)),
        contrast: r2(median(contrasts)),
        contrast_min: r2(contrasts.length ? Math.min(...contrasts) : null),
      },
      ads: {
        elements: adEls.length,
        element_list: adEls.map(describe),
        iframes: adIframes.length,
      },
      overlays: { count: overlays.length, list: overlays },
      inducements: { count: inducements.length, list: inducements },
      images: {
        total: imgs.length,
        missing_alt: missingAlt.length,
        empty_alt: imgs.filter((i) => i.getAttribute("alt") === "").length,
        missing_alt_list: missingAlt.map((i) => (i.getAttribute("src") || "").split("/").pop()),
      },
      focusable_in_main: focusable,
      structure: {
        h1: document.querySelectorAll("h1").length,
        lang: document.documentElement.getAttribute("lang") || "",
      },
    };
  };

  // --- keyboard walk -----------------------------------------------------------------------------
  const RING = ["outlineStyle", "outlineWidth", "outlineColor", "boxShadow", "borderTopColor",
    "borderBottomColor", "backgroundColor", "color", "textDecorationLine"];
  const ringOf = (el) => { const cs = getComputedStyle(el); const o = {}; for (const k of RING) o[k] = cs[k]; return o; };
  const state = () => (window.__captureA11y = window.__captureA11y || { els: [], rings: [], main: null, tabindex: null });

  if (arg.op === "static") return measureStatic();

  // One Tab press seen from the page: where focus went, and its focused look.
  const probe = (st) => {
    if (st.main && st.main.getAttribute("tabindex") === "-1" && st.tabindex === null) st.main.removeAttribute("tabindex");
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return "none";
    if (el === st.main) return "main-itself";
    if (!st.main.contains(el)) return "outside";
    st.els.push(el);
    st.rings.push(ringOf(el));
    return "inside";
  };

  if (arg.op === "focus-start") {
    const st = state();
    const main = first(cfg.main_selectors) || document.body;
    st.main = main;
    st.tabindex = main.getAttribute("tabindex");
    st.presses = 0; st.entered = false; st.done = false;
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    main.setAttribute("tabindex", "-1");
    main.focus({ preventScroll: true });
    // The walk's rule, applied by the page itself at each Tab keyup (after focus moved), so the
    // caller can send its presses in one batch: stop on walking out of the main content (or when
    // focus falls off the page); once stopped, further Tab presses are cancelled and move nothing.
    st.onKeyDown = (e) => { if (e.key === "Tab" && st.done) e.preventDefault(); };
    st.onKeyUp = (e) => {
      if (e.key !== "Tab" || st.done) return;
      st.presses += 1;
      const where = probe(st);
      if (where === "inside") st.entered = true;
      else if ((where === "outside" || where === "none") && (st.entered || where === "none")) st.done = true;
      if (st.presses >= cfg.max_tabs) st.done = true;
    };
    window.addEventListener("keydown", st.onKeyDown, true);
    window.addEventListener("keyup", st.onKeyUp, true);
    return describe(main);
  }

  if (arg.op === "focus-status") {
    const st = state();
    return { presses: st.presses, done: st.done };
  }

  if (arg.op === "focus-finish") {  // blur, compare each element's focused and unfocused look
    const st = state();
    window.removeEventListener("keydown", st.onKeyDown, true);
    window.removeEventListener("keyup", st.onKeyUp, true);
    if (document.activeElement) document.activeElement.blur();
    if (st.main) {
      if (st.tabindex === null) st.main.removeAttribute("tabindex"); else st.main.setAttribute("tabindex", st.tabindex);
    }
    const items = st.els.map((el, i) => {
      const focused = st.rings[i], plain = ringOf(el);
      const ring = focused.outlineStyle !== "none" && parseFloat(focused.outlineWidth) > 0 &&
        (focused.outlineStyle !== plain.outlineStyle || focused.outlineWidth !== plain.outlineWidth ||
         focused.outlineColor !== plain.outlineColor);
      const shadow = focused.boxShadow !== "none" && focused.boxShadow !== plain.boxShadow;
      const other = ["borderTopColor", "borderBottomColor", "backgroundColor", "color", "textDecorationLine"]
        .some((k) => focused[k] !== plain[k]);
      return { element: describe(el), label: label(el), indicator: ring ? "outline" : shadow ? "box-shadow" : other ? "style" : "none" };
    });
    delete window.__captureA11y;
    window.scrollTo(0, 0);
    return items;
  }
  throw new Error("capture.a11y: unknown op " + arg.op);
}
