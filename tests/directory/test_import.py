"""Directory import: every line checked first; one bad line imports nothing and is reported
with its line and field; people are updated by identifier."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from redress.directory.importing import import_directory
from redress.directory.models import Person, PersonKind
from redress.ledger.models import Entry

pytestmark = pytest.mark.django_db

HEADER = "identifier,name,roles,party,office,constituency,line manager\n"
GOOD = (
    HEADER
    + "M-1,Ada Ferncastle,member; Chief Whip,Harbour Alliance,,Ashwold East,\n"
    + "S-1,Bryn Oakes,staff; Office Manager,Harbour Alliance,Members' Office,,M-1\n"
    + "S-2,Cerys Vale,staff,,Members' Office,,S-1\n"
)


def test_a_good_file_is_imported_and_ledgered() -> None:
    outcome = import_directory(GOOD.encode(), actor="system:test")
    assert outcome.problems == []
    assert (outcome.created, outcome.updated) == (3, 0)
    bryn = Person.objects.get(identifier="S-1")
    assert bryn.line_manager is not None
    assert bryn.line_manager.identifier == "M-1"
    assert bryn.role_title == "Office Manager"
    assert Person.objects.get(identifier="M-1").kind == PersonKind.MEMBER
    assert Entry.objects.filter(action="directory.imported").count() == 1


def test_one_bad_line_imports_nothing_and_says_where() -> None:
    bad = (
        GOOD + "S-3,,staff,,,,\n" + "S-4,Dai Bevan,minister,,,,\n" + "S-5,Eli Moss,staff,,,,S-99\n"
    )
    outcome = import_directory(bad.encode(), actor="system:test")
    assert [str(p) for p in outcome.problems] == [
        "line 5, name: empty",
        "line 6, roles: must start with one of: member, staff, party official",
        "line 7, line manager: no person 'S-99'",
    ]
    assert Person.objects.count() == 0
    assert not Entry.objects.filter(action="directory.imported").exists()


def test_people_are_updated_by_identifier() -> None:
    import_directory(GOOD.encode(), actor="system:test")
    changed = GOOD.replace("Bryn Oakes,staff; Office Manager", "Bryn Oakes,staff; Chief of Staff")
    outcome = import_directory(changed.encode(), actor="system:test")
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 2)
    assert Person.objects.get(identifier="S-1").role_title == "Chief of Staff"


def test_loops_and_repeats_are_refused() -> None:
    looped = HEADER + "A,Al,staff,,,,B\nB,Bea,staff,,,,A\nA,Al again,staff,,,,\n"
    problems = [str(p) for p in import_directory(looped.encode(), actor="t").problems]
    assert "line 4, identifier: repeats line 2" in problems
    assert any("loop" in p for p in problems)
    assert import_directory(b"name,roles\nx,staff\n", actor="t").problems[0].field == "header"


def test_the_command_reports_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "people.csv"
    path.write_text(GOOD + "S-3,,staff,,,,\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_directory", str(path))
    assert exit_info.value.code == 1
    assert "line 5, name: empty" in capsys.readouterr().out
    path.write_text(GOOD)
    call_command("import_directory", str(path))
    assert "3 created" in capsys.readouterr().out


def test_the_command_is_spelled_with_a_hyphen() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "redress"), "import-directory", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "CSV" in result.stdout


@pytest.mark.parametrize(
    ("field", "line", "control"),
    [
        ("name", "S-3,Dai\x00 Bevan,staff,,,,", "U+0000"),
        ("identifier", "S-\x073,Dai Bevan,staff,,,,", "U+0007"),
        ("party", "S-3,Dai Bevan,staff,Harbour\x1bAlliance,,,", "U+001B"),
        ("office", "S-3,Dai Bevan,staff,,Members\x7f Office,,", "U+007F"),
        ("constituency", "S-3,Dai Bevan,staff,,,Ashwold\x85East,", "U+0085"),
        ("roles", "S-3,Dai Bevan,staff; Whip\x0b,,,,", None),  # stripped at the end: kept out
        ("name", 'S-3,"Dai\nBevan",staff,,,,', "U+000A"),
    ],
)
def test_a_control_character_is_refused_naming_the_line_and_nothing_is_imported(
    field: str, line: str, control: str | None
) -> None:
    # On PostgreSQL a NUL cannot be stored at all; on SQLite it was, in people's names.
    data = (GOOD + line + "\nS-4,Eli Moss,staff,,,,\n").encode()
    outcome = import_directory(data, actor="system:test")
    if control is None:
        assert outcome.problems == []
        assert Person.objects.get(identifier="S-3").role_title == "Whip"
        return
    assert [str(p) for p in outcome.problems] == [
        f"line 5, {field}: holds a control character ({control})"
    ]
    assert Person.objects.count() == 0
    assert not Entry.objects.filter(action="directory.imported").exists()


def test_lines_are_counted_in_the_file_when_a_field_spans_lines() -> None:
    data = GOOD + 'S-3,"Dai\nBevan",staff,,,,\n' + "S-4,,staff,,,,\n"
    problems = [str(p) for p in import_directory(data.encode(), actor="t").problems]
    assert problems == [
        "line 5, name: holds a control character (U+000A)",
        "line 7, name: empty",
    ]


def test_the_command_names_the_line_of_a_nul(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes((GOOD + "S-3,Dai\x00 Bevan,staff,,,,\n").encode())
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_directory", str(path))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "Nothing was imported" in out
    assert "line 5, name: holds a control character (U+0000)" in out
    assert Person.objects.count() == 0
