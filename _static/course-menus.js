// Open the menus on phones and tablets, and collapse the sidebar on wide screens.
//
// sphinx-book-theme 1.3.0 pins pydata-sphinx-theme 0.17.1. That version draws two buttons of each
// kind (".primary-toggle": the chapter list; ".secondary-toggle": "On this page"), one in the
// top bar, always hidden under sphinx-book-theme, and one in the article's header, the one a
// reader sees. Both themes bind their click handlers with document.querySelector, i.e. to the
// first, hidden one, so the visible button shows only its tooltip (pydata/pydata-sphinx-theme#2451,
// executablebooks/sphinx-book-theme#988). Here a click on any other toggle is passed on to the one
// the themes listen to. Remove this file when a theme release that works with Sphinx 7.4 binds
// every toggle (a test in tests/test_book.py opens both menus).
(function () {
  function bind() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (selector) {
      var bound = document.querySelector(selector);      // the button the themes listen to
      if (!bound) return;
      document.querySelectorAll(selector).forEach(function (button) {
        if (button === bound || button.dataset.courseToggle) return;
        button.dataset.courseToggle = "1";
        button.addEventListener("click", function (event) {
          event.preventDefault();
          bound.click();                                  // the themes' handlers, with this button focused
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bind);
  else bind();
})();
