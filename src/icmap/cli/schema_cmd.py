"""``icmap schema``: print the JSON Schema of the org format."""

from __future__ import annotations

import json

from icmap.cli.common import handle_errors, print_text


@handle_errors
def schema() -> None:
    """Print the JSON Schema of the org format, for editors.

    Point your editor's YAML language server at the file it writes, with this line at the
    top of an org file:

    \b
      # yaml-language-server: $schema=org.schema.json

    Examples:

    \b
      icmap schema > org.schema.json
    """
    from icmap.schema import org_schema

    print_text(json.dumps(org_schema(), indent=2, ensure_ascii=False, allow_nan=False) + "\n")
