"""The sanitiser's child runs without Django or settings: none of its modules may import Django,
and from the rest of Redress it takes only the words it answers with and the file types."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from redress.intake import sandbox, sanitiser

PACKAGE = Path(sanitiser.__file__).parent
# What the child may import from Redress besides its own modules.
ALLOWED_OUTSIDE = {"redress.intake.upload_words", "redress.intake.filetypes"}

IMPORT_EVERY_MODULE = """
import json, pkgutil, sys
import redress.intake.sanitiser as package
names = sorted(
    module.name for module in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
)
for name in names:
    __import__(name)
django = sorted(name for name in sys.modules if name.split(".")[0] == "django")
print(json.dumps({"modules": names, "django": django}))
"""


def test_no_module_of_the_sanitiser_loads_django() -> None:
    finished = subprocess.run(
        [sys.executable, "-B", "-c", IMPORT_EVERY_MODULE],
        env=sandbox._child_environment(),
        capture_output=True,
        check=True,
        cwd=os.sep,
    )
    imported = json.loads(finished.stdout)
    assert {
        "redress.intake.sanitiser.__main__",
        "redress.intake.sanitiser.child",
        "redress.intake.sanitiser.shared",
        "redress.intake.sanitiser.images",
        "redress.intake.sanitiser.pdf",
        "redress.intake.sanitiser.office",
        "redress.intake.sanitiser.audio.ogg",
    } <= set(imported["modules"])
    # every file, but the package itself (its __init__) is not among its own modules
    assert len(imported["modules"]) == len(list(PACKAGE.rglob("*.py"))) - 1
    assert imported["django"] == []


def imported_names(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_sanitiser_imports_neither_django_nor_the_rest_of_redress() -> None:
    paths = sorted(PACKAGE.rglob("*.py"))
    assert len(paths) > 10
    for path in paths:
        for name in imported_names(path):
            top = name.split(".")[0]
            assert top != "django", f"{path.name} imports {name}"
            if top == "redress" and not name.startswith("redress.intake.sanitiser"):
                # ``from redress.intake import filetypes`` names both the package and the module.
                allowed = ALLOWED_OUTSIDE | {"redress.intake"}
                assert name in allowed or name.rsplit(".", 1)[0] in ALLOWED_OUTSIDE, (
                    f"{path.relative_to(PACKAGE)} imports {name}"
                )
