// Move the keyboard and screen-reader focus to the one element the server marked with
// data-autofocus: the success message after sending a statement, or the error summary of an
// invalid form. The element has tabindex="-1", so focusing it scrolls it into view.
const target = document.querySelector("[data-autofocus]");
if (target) target.focus();
