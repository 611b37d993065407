// js_on_load of the conversation (gr.HTML): `element`, `trigger` and `watch` come from Gradio.
// A citation marker [n] opens its article in the side panel; an example question is asked.
element.addEventListener("click", (event) => {
  const cite = event.target.closest("button.cite");
  if (cite) {
    element.querySelectorAll("button.cite.active").forEach((b) => b.classList.remove("active"));
    cite.classList.add("active");
    trigger("click", { turn: Number(cite.dataset.turn), n: Number(cite.dataset.n) });
    showPanel();
    return;
  }
  const example = event.target.closest("button.example");
  if (example) {
    trigger("select", { question: example.dataset.question || "" });
  }
});

// When a question is asked, and again when its answer is complete, bring that question to
// the top of the conversation box (streaming in between leaves the scroll alone).
let shown = "";
watch("value", () => {
  const turns = element.querySelectorAll(".turn");
  const last = turns[turns.length - 1];
  const state = last ? `${turns.length}:${last.querySelector(".pending") ? "writing" : "done"}` : "";
  if (state === shown) return;
  shown = state;
  const box = element.closest("#conversation");
  if (!box || !last) return;
  box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 12;
});

// Where the panel sits below the conversation (a phone), a tap on [n] brings it into view;
// its article arrives in it a moment later (panel.js keeps it in view then).
function showPanel() {
  const panel = document.getElementById("panel");
  if (!panel) return;
  const top = panel.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.5) panel.scrollIntoView({ block: "start" });
}

// The page opens at its top. On a wide screen the question box gets the focus (without
// scrolling); on a phone it does not, so that no keyboard covers the page.
window.scrollTo(0, 0);
if (window.matchMedia("(min-width: 900px)").matches) {
  const focus = (tries) => {
    const box = document.querySelector("#question textarea");
    if (box) box.focus({ preventScroll: true });
    else if (tries > 0) setTimeout(() => focus(tries - 1), 100);
  };
  focus(30);
}
