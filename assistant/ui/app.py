"""`akhbar chat`: the Gradio app over the archive, on the same Python API as `akhbar ask`.

The conversation is rendered by `render` (escaped HTML, direction per message and quote);
a click on [n] opens the cited article in the side panel. Follow-up questions are asked with
the conversation's earlier turns as history. Scripts get one named endpoint, `/ask`, whose
result is the JSON object of `akhbar ask --json`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from assistant.answer import Answer
from assistant.archive import Delta, check_question
from assistant.chat import Turn
from assistant.config import Settings
from assistant.errors import AkhbarError
from assistant.ui.limits import (
    MAX_BODY_BYTES,
    RequestLimits,
    bounded_output,
    private_temp_dir,
    sigterm_interrupts,
)
from assistant.ui.overview import SEED_EXAMPLES, Overview, overview
from assistant.ui.render import (
    Exchange,
    conversation_html,
    panel_html,
    panel_message,
    panel_placeholder,
    status_html,
)
from assistant.ui.workers import ArchiveWorkers
from index.errors import AkhbarIndexError
from index.filters import Filters

log = logging.getLogger(__name__)

ASSETS = Path(__file__).with_name("assets")
# The bundled sample archive's (seeds/, which a first `akhbar chat` indexes); other archives
# get questions of their own (assistant.ui.overview).
EXAMPLES = tuple(question for question, _ in SEED_EXAMPLES)
PLACEHOLDER = "Ask in Arabic or English · اكتب سؤالك بالعربية أو الإنجليزية"
LOOKUPS = 2  # citation panels opened at once, beside the answers being written


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 7860
    auth: tuple[str, str] | None = None  # (user, password); None: no login
    concurrency: int = 4  # answers written at once
    queue_size: int = 32  # requests waiting beyond those; more get "busy, retry"
    blocked_paths: tuple[Path, ...] = ()  # never served, whatever Gradio's settings say
    max_body_bytes: int = MAX_BODY_BYTES  # a bigger request body gets 413


def serve(settings: Settings, options: ServeOptions) -> None:
    """Open the archive and serve the app until interrupted (Ctrl-C or SIGTERM). Gradio's temp
    folder is this server's own and is removed when it stops; see limits for the limits."""
    with sigterm_interrupts(), private_temp_dir(), bounded_output():
        _serve(settings, options)


def _serve(settings: Settings, options: ServeOptions) -> None:
    workers = ArchiveWorkers(settings, workers=options.concurrency + LOOKUPS)
    try:
        demo = ChatApp(settings, workers).build(options)
        workers.warm()
        limits = Middleware(
            RequestLimits, max_body=options.max_body_bytes,
            handlers=lambda: {i: len(fn.inputs) for i, fn in demo.fns.items()},
            api_names=lambda: frozenset(fn.api_name for fn in demo.fns.values()
                                        if isinstance(fn.api_name, str)),
        )
        demo.launch(
            server_name=options.host, server_port=options.port, share=False,
            auth=options.auth, auth_message="Akhbar: sign in to read the archive.",
            # Nothing of ours is served as a file (the CSS and JS are inlined). A non-empty
            # allowed_paths keeps GRADIO_ALLOWED_PATHS from widening it; blocked_paths (the
            # store, the .env's folder, ...) win over anything Gradio would serve.
            allowed_paths=[str(ASSETS)],
            blocked_paths=[str(p) for p in options.blocked_paths],
            max_file_size="1mb", show_error=False, quiet=False, inbrowser=False,
            footer_links=["api"], run_history=False, enable_monitoring=False,
            mcp_server=False, ssr_mode=False, pwa=False, app_kwargs={"middleware": [limits]},
            theme=theme(), css=(ASSETS / "app.css").read_text("utf-8"),
        )
    finally:
        workers.close()


def theme() -> gr.themes.Base:
    return gr.themes.Base(
        primary_hue=gr.themes.colors.blue, neutral_hue=gr.themes.colors.slate,
        font=["system-ui", "Segoe UI", "Noto Sans", "Noto Sans Arabic", "Tahoma", "sans-serif"],
        font_mono=["ui-monospace", "Menlo", "Consolas", "monospace"],
        radius_size=gr.themes.sizes.radius_md,
    )


class ChatApp:
    def __init__(self, settings: Settings, workers: ArchiveWorkers) -> None:
        self.settings = settings
        self.workers = workers
        self.overview: Overview = workers.call(overview)  # checks its example questions
        self.offered = set(self.overview.examples)  # every example shown since the start
        self.built_examples = self.overview.examples  # those of the page as built
        self._refreshing = threading.Lock()

    @property
    def examples(self) -> tuple[str, ...]:
        return self.overview.examples

    def refreshed(self) -> bool:
        """Build the overview again if the store's generation moved (re-indexing); whether
        it did."""
        with self._refreshing:
            stats = self.workers.call(lambda a: a.stats())
            generation = stats.state.generation if stats.state else None
            if generation == self.overview.generation:
                return False
            self.overview = self.workers.call(overview)
            self.offered |= set(self.overview.examples)
            return True

    def status(self) -> str:
        return status_html(self.overview.stats, self.settings.answer_mode)

    def build(self, options: ServeOptions) -> gr.Blocks:
        self.built_examples = self.examples  # in the page as Gradio serves it
        with gr.Blocks(title="Akhbar · أخبار", analytics_enabled=False, fill_width=True) as demo:
            exchanges = gr.State(())
            with gr.Row(elem_id="topbar"):
                gr.HTML('<div class="brand"><span class="name-ar" lang="ar">أخبار</span>'
                        '<span class="name">Akhbar</span><span class="tagline">cited answers '
                        "from the Arabic news archive</span></div>", apply_default_css=False)
                status = gr.HTML(self.status(), elem_id="status", apply_default_css=False)
            with gr.Row(equal_height=False):
                with gr.Column(scale=3, min_width=520, elem_id="chat-col"):
                    conversation = gr.HTML(
                        conversation_html((), self.examples), elem_id="conversation",
                        js_on_load=_asset("conversation.js"), apply_default_css=False,
                    )
                    with gr.Row(elem_id="filters"):
                        since = gr.DateTime(label="From", include_time=False, type="string",
                                            elem_id="since", scale=1)
                        until = gr.DateTime(label="To", include_time=False, type="string",
                                            elem_id="until", scale=1)
                        outlets = gr.Dropdown(list(self.overview.outlets), value=[],
                                              multiselect=True, scale=2, elem_id="outlets",
                                              label="Outlets (all when empty)")
                    with gr.Row(elem_id="ask-row"):
                        question = gr.Textbox(  # focused by conversation.js, not on phones
                            show_label=False, lines=1, max_lines=6, scale=6,
                            placeholder=PLACEHOLDER,
                            elem_id="question",
                        )
                        ask = gr.Button("Ask", variant="primary", scale=0, min_width=90,
                                        elem_id="ask")
                        new = gr.Button("New conversation", scale=0, min_width=170,
                                        elem_id="new")
                with gr.Column(scale=2, min_width=380, elem_id="panel-col"):
                    panel = gr.HTML(panel_placeholder(), elem_id="panel",
                                    js_on_load=_asset("panel.js"), apply_default_css=False)

            asking: dict[str, Any] = {
                "fn": self.answer, "inputs": [question, since, until, outlets, exchanges],
                "outputs": [conversation, exchanges, question], "concurrency_id": "answers",
                "concurrency_limit": options.concurrency, "show_progress": "hidden",
                "api_visibility": "private", "trigger_mode": "once",
            }
            # after each answer: the header (and outlets) anew, if the store was re-indexed
            following: dict[str, Any] = {
                "fn": self.follow_store, "inputs": None, "outputs": [status, outlets],
                "queue": False, "api_visibility": "private", "show_progress": "hidden",
            }
            gr.on([question.submit, ask.click], **asking).then(**following)
            conversation.select(self.pick_example, None, question, api_visibility="private",
                                queue=False).then(**asking).then(**following)
            conversation.click(self.open_citation, exchanges, panel, concurrency_id="lookups",
                               concurrency_limit=LOOKUPS, api_visibility="private",
                               show_progress="hidden")
            new.click(self.reset, None, [conversation, exchanges, panel, question],
                      api_visibility="private", queue=False).then(**following)
            demo.load(self.opened, None, [conversation, status, outlets],
                      api_visibility="private", queue=False, show_progress="hidden")
            gr.api(self.api_ask, api_name="ask", concurrency_id="answers",
                   concurrency_limit=options.concurrency)
        demo.queue(default_concurrency_limit=options.concurrency, max_size=options.queue_size,
                   api_open=False)
        return demo

    # --- handlers ---

    def answer(
        self, question: str | None, since: str | None, until: str | None,
        outlets: Sequence[str] | None, exchanges: tuple[Exchange, ...],
    ) -> Iterator[tuple[Any, ...]]:
        """Stream an answer into the conversation; the question box empties once it is asked."""
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        try:
            scope = _scope(since, until, outlets, labels=("From", "To"))
            check_question(question)
        except (ValueError, AkhbarError) as err:  # keep the question in the box, to fix it
            done = (*exchanges, Exchange(question, error=str(err)))
            yield conversation_html(done, self.examples), done, gr.skip()
            return
        history = [Turn(e.question, e.answer.text,
                        tuple(dict.fromkeys(c.article_id for c in e.answer.citations)))
                   for e in exchanges if e.answer is not None]
        current = Exchange(question, scope=_describe(scope))
        yield conversation_html((*exchanges, current), self.examples), exchanges, ""
        try:
            for event in self.workers.ask_stream(question, scope, history):
                if isinstance(event, Delta):
                    current = replace(current, draft=current.draft + event.text)
                else:
                    current = replace(current, answer=event)
                yield conversation_html((*exchanges, current), self.examples), exchanges, gr.skip()
        except (AkhbarError, AkhbarIndexError, ValueError) as err:
            current = replace(current, error=str(err))
        except Exception as err:  # shown, not swallowed: the user should know it failed
            log.exception("answering %r failed", question)
            current = replace(current, error=f"Unexpected error ({type(err).__name__}). "
                                              "The server log has the details.")
        if current.answer is None and current.error is None:
            current = replace(current, error="The answer stopped before it was complete.")
        done = (*exchanges, current)
        yield conversation_html(done, self.examples), done, gr.skip()

    def follow_store(self) -> tuple[Any, Any]:
        """The header and the outlets, anew when the store was re-indexed (else unchanged)."""
        if not self.refreshed():
            return gr.skip(), gr.skip()
        return self.status(), gr.update(choices=list(self.overview.outlets))

    def open_citation(self, exchanges: tuple[Exchange, ...], evt: gr.EventData) -> str:
        """The article behind citation [n] of turn `turn`, with the quoted span marked."""
        try:
            turn, n = int(evt.turn), int(evt.n)
            answer = exchanges[turn].answer if turn >= 0 else None
            citation = next(c for c in answer.citations if c.n == n) if answer else None
        except (AttributeError, TypeError, ValueError, IndexError, StopIteration):
            citation = None
        if citation is None:
            return panel_message("That citation is not part of this conversation any more.")
        try:
            article = self.workers.call(lambda a: a.article(citation.article_id))
        except AkhbarError as err:
            return panel_message(str(err))
        return panel_html(citation, article)

    def pick_example(self, evt: gr.EventData) -> str:
        text = getattr(evt, "question", "")
        return text if isinstance(text, str) and text in self.offered else ""

    def reset(self) -> tuple[str, tuple[Exchange, ...], str, str]:
        self.refreshed()  # the examples of the store as it is now
        return conversation_html((), self.examples), (), panel_placeholder(), ""

    def opened(self) -> tuple[Any, str, Any]:
        """A page opened: the header and outlets as the store is now, and the examples when
        they are no longer those the page was built with (the store was re-indexed)."""
        self.refreshed()
        welcome = (gr.skip() if self.examples == self.built_examples
                   else conversation_html((), self.examples))
        return welcome, self.status(), gr.update(choices=list(self.overview.outlets))

    def api_ask(
        self, question: str, since: str = "", until: str = "", outlets: list[str] | None = None,
    ) -> dict[str, Any]:
        """Answer a question from the archive, with citations.

        since/until: YYYY-MM-DD (optional); outlets: outlet names (optional, all when empty).
        Returns the same JSON object as `akhbar ask --json`.
        """
        try:
            if not isinstance(question, str):
                raise ValueError(f"question: expected text, got {_kind(question)}.")
            check_question(question)
            scope = _scope(since, until, outlets, labels=("since", "until"))
            answer: Answer = self.workers.ask(question, scope)
        except (AkhbarError, AkhbarIndexError, ValueError) as err:
            raise gr.Error(str(err), print_exception=False) from err
        return answer.as_dict()


def _scope(
    since: str | None, until: str | None, outlets: object,
    *, labels: tuple[str, str],
) -> Filters:
    first, last = _date(labels[0], since), _date(labels[1], until)
    if first and last and first > last:
        raise ValueError(f"The date range is empty: {labels[0]} ({first}) is after "
                         f"{labels[1]} ({last}).")
    return Filters(since=first, until=last, sources=_outlets(outlets))


def _outlets(value: object) -> tuple[str, ...]:
    """A list of outlet names; one name given as a string is that one outlet (names are not
    split at commas: an outlet's name may hold one)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError(f"outlets: expected a list of outlet names (or one name), got "
                     f"{_kind(value)}.")


def _kind(value: object) -> str:
    if isinstance(value, list | tuple):
        kinds = sorted({type(v).__name__ for v in value if not isinstance(v, str)})
        return f"a list holding {', '.join(kinds)}"
    return f"{type(value).__name__} {_short_repr(value)}"


def _short_repr(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _date(label: str, value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{label}: expected a date as YYYY-MM-DD, got {_kind(value)}.")
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{label}: expected a date as YYYY-MM-DD, got {text!r}.") from None


def _describe(scope: Filters) -> str:
    parts = []
    if scope.since or scope.until:
        parts.append(f"{scope.since or '…'} → {scope.until or '…'}")
    if scope.sources:
        parts.append(", ".join(scope.sources))
    return " · ".join(parts)


def _asset(name: str) -> str:
    return (ASSETS / name).read_text("utf-8")
