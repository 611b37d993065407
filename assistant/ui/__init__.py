"""The chat UI (`akhbar chat`): the Gradio app, its rendering, its limits and its workers.

- `app`: the Gradio Blocks app and `serve`;
- `render`: escaped HTML for the conversation and the article panel;
- `limits`: what one request may cost the server (body size, uploads, log, temp files);
- `workers`: the archive, run off Gradio's event loop;
- `assets/`: CSS and JS, inlined into the page.
"""
