"""mkdocs hook: docs/cli.md's reference is generated from the Typer app itself, at every build.

The page holds the marker ``<!-- altui-cli-reference -->``; the hook puts there what Typer's own docs generator
(``typer.cli.get_docs_for_click``, the engine of ``typer … utils docs``) writes for ``altui``, one heading level
down so the page keeps its own title. The text is the same as ``altui COMMAND --help``.
"""

from __future__ import annotations

import re

MARKER = "<!-- altui-cli-reference -->"


def cli_reference() -> str:
    import typer
    import typer.cli

    from altui.cli.main import app

    command = typer.main.get_command(app)
    text = typer.cli.get_docs_for_click(obj=command, ctx=typer.Context(command), name="altui")
    lines = []
    in_code = False
    for line in text.splitlines():
        if line.strip() == "\b":  # click's "keep these lines" marker
            continue
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and re.match(r"#+ ", line):
            line = "#" + line
        # the help's "Example:" blocks keep their line breaks
        if not in_code and line.startswith("Example: "):
            line = "Example:\n\n    " + line.removeprefix("Example: ")
        elif not in_code and line.startswith("         ") and line.strip().startswith("altui"):
            line = "    " + line.strip()
        lines.append(line)
    return "\n".join(lines) + "\n"


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 (mkdocs's hook signature)
    if MARKER in markdown:
        return markdown.replace(MARKER, cli_reference())
    return markdown
