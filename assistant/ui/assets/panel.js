// js_on_load of the citation panel (gr.HTML): `element` and `watch` come from Gradio.
// "Copy citation" puts the plain-text reference on the clipboard (or selects it to copy by hand).
element.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy-ref");
  if (!button) return;
  const text = button.dataset.ref || "";
  let copied = false;
  try {
    await navigator.clipboard.writeText(text);
    copied = true;
  } catch (err) {
    const ref = element.querySelector(".ref-text");
    if (ref) {
      const range = document.createRange();
      range.selectNodeContents(ref);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      copied = document.execCommand("copy");
    }
  }
  button.textContent = copied ? "Copied" : "Selected: press Ctrl+C";
  button.classList.toggle("done", copied);
  setTimeout(() => {
    button.textContent = "Copy citation";
    button.classList.remove("done");
  }, 2500);
});

// A newly opened citation: scroll the article so that its highlighted passage is in view
// (the article scrolls inside the panel). Where the panel sits below the conversation (a
// phone) and is out of view, the page scrolls to it.
watch("value", () => {
  const box = element.querySelector(".article-text");
  const mark = element.querySelector("mark.cited");
  if (!box) return;
  const panel = element.closest("#panel") || element;
  const top = panel.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.5) panel.scrollIntoView({ block: "start" });
  if (!mark) return;
  // a third of the way down, or higher where that leaves the passage's end out of view
  const offset = mark.getBoundingClientRect().top - box.getBoundingClientRect().top;
  const room = box.clientHeight - mark.getBoundingClientRect().height - 12;
  box.scrollTop += offset - Math.max(12, Math.min(box.clientHeight / 3, room));
});
