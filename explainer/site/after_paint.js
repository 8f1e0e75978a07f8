// Inlined into each Quarto page by explainer/site/quarto_scripts.py, which says why.
// Each <script type="text/x-after-paint" data-src> becomes a script again, in document order, once
// the page has been parsed and painted. The listeners they add for DOMContentLoaded, and for the
// window's load and pageshow, are held: once the last script has run they are called in the order
// they were added, if their event has passed, each on its own (one that throws is reported and
// stops no other), or else left to their event. <html> says which:
// data-scripts="loading", then "ready". Meanwhile an element with the id "exports", "module" or
// "define" (a heading "Exports") is hidden from the scripts, whose UMD wrappers would find it as a
// global of that name and register themselves on it, not on window; and a press on a menu or
// navbar button is held, and given to it once Bootstrap has come.
(function () {
  var painted = false, started = false, loaded = false, pressed = null;
  document.documentElement.setAttribute("data-scripts", "loading");
  var hold = function (event) {
    var control = event.target.closest && event.target.closest("[data-bs-toggle]");
    if (control) { pressed = control; event.preventDefault(); }
  };
  document.addEventListener("click", hold, true);
  var report = function (error) {
    if (window.reportError) window.reportError(error); else setTimeout(function () { throw error; });
  };
  var passed = function (type) {
    if (type !== "pageshow") return new Event(type, { bubbles: type === "DOMContentLoaded" });
    try { return new PageTransitionEvent(type, { persisted: false }); } catch (error) { return new Event(type); }
  };
  function start() {
    if (started || !painted || document.readyState === "loading") return;
    started = true;
    var waiting = [].slice.call(document.querySelectorAll('script[type="text/x-after-paint"]'));
    var held = [], targets = [document, window], adds = [document.addEventListener, window.addEventListener];
    var shadowing = ["exports", "module", "define"].filter(function (name) {
      var found = window[name];
      return !Object.prototype.hasOwnProperty.call(window, name) && (found instanceof Element || found instanceof HTMLCollection);
    });
    shadowing.forEach(function (name) { window[name] = undefined; });
    targets.forEach(function (target, index) {
      target.addEventListener = function (type, listener, options) {
        var later = type === "DOMContentLoaded" || (target === window && (type === "load" || type === "pageshow"));
        if (later && listener) held.push([target, type, listener, options]);
        else adds[index].call(target, type, listener, options);
      };
    });
    var call = function (entry) {
      try {
        if (typeof entry[2] === "function") entry[2].call(entry[0], passed(entry[1])); else entry[2].handleEvent(passed(entry[1]));
      } catch (error) { report(error); }
    };
    var done = function () {
      // DOMContentLoaded first, as the browser would: the load and pageshow listeners they add are held too
      held.filter(function (entry) { return entry[1] === "DOMContentLoaded"; }).forEach(call);
      targets.forEach(function (target, index) { target.addEventListener = adds[index]; });
      shadowing.forEach(function (name) { delete window[name]; });
      held.forEach(function (entry) {
        if (entry[1] === "DOMContentLoaded") return;
        if (loaded) call(entry); else window.addEventListener(entry[1], entry[2], entry[3]);
      });
      document.documentElement.setAttribute("data-scripts", "ready");
      document.removeEventListener("click", hold, true);
      if (pressed) pressed.click();
    };
    if (!waiting.length) return done();
    waiting.forEach(function (placeholder, index) {
      var script = document.createElement("script");
      if (placeholder.getAttribute("data-type")) script.type = placeholder.getAttribute("data-type");
      script.async = false;
      script.src = placeholder.getAttribute("data-src");
      if (index === waiting.length - 1) script.onload = script.onerror = done;
      placeholder.replaceWith(script);
    });
  }
  function paint() { painted = true; setTimeout(start); }
  try {
    new PerformanceObserver(function (list) {
      if (list.getEntriesByName("first-contentful-paint").length) paint();
    }).observe({ type: "paint", buffered: true });
  } catch (error) {}
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", function () { loaded = true; paint(); });
})();
