// The built-in renderer's navbar menu ("Notebooks") is a <details>: it opens and works without
// JavaScript. With it, it also closes as a menu does: on Escape (the focus back on its button), on a
// click elsewhere, and when the keyboard's focus leaves it; open, it covers the page's title.
(function () {
  var menus = [].slice.call(document.querySelectorAll(".nav-menu details"));
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus.forEach(function (menu) {
      if (!menu.open) return;
      var focused = menu.contains(document.activeElement);
      menu.open = false;
      if (focused) menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
  menus.forEach(function (menu) {
    menu.addEventListener("focusout", function (event) {
      if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
    });
  });
})();
