"""The web app (Gradio) and its command-line entry points: presentation only, over `assistant`.

Gradio's telemetry and version check are switched off here, before anything can import gradio: the app makes no
request to any other host.
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
