"""docs/schema.md, generated so it is never stale: every table, view and column as they exist in a real DB built
from the bundled snapshot, described by the `--` comments of sql/schema.sql and sql/views.sql, followed by the
example questions of sql/examples/ with their first rows. `python -m pipeline schema-doc [--check]`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.database import Database
from pipeline.paths import DEFAULT_SNAPSHOT, REPO_ROOT, SQL_DIR
from pipeline.store.writer import DERIVED_SQL

DOC_PATH = REPO_ROOT / "docs" / "schema.md"
EXAMPLES_DIR = SQL_DIR / "examples"
# Every SQL file a refresh runs inside the DB file, in the order it runs them (schema first).
DOCUMENTED_SQL = ("schema", *DERIVED_SQL)
EXAMPLE_ROWS = 5
# A view column without its own comment inherits the description of the same column here, in this order.
INHERIT_FROM = ("models", "model_snapshots", "model_lineage", "refresh_runs")

_CREATE = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?\"?(\w+)\"?", re.IGNORECASE
)
_AS_ALIAS = re.compile(r"\bAS\s+\"?(\w+)\"?\s*,?\s*$", re.IGNORECASE)
_FIRST_NAME = re.compile(r"\s*\"?(\w+)\"?")
_LAST_NAME = re.compile(r"\"?(\w+)\"?\s*,?\s*$")


@dataclass
class DocObject:
    name: str
    kind: str  # table | view
    defined_by_select: bool = False  # a view or CREATE TABLE … AS SELECT: columns are named by the select list
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


def _split_comment(line: str) -> tuple[str, str]:
    """(code, comment) of one line. Our SQL files keep `--` out of string literals, so a plain split is enough."""
    code, sep, comment = line.partition("--")
    return code.rstrip(), comment.strip() if sep else ""


def parse_comments(text: str) -> dict[str, DocObject]:
    """Descriptions from a SQL file: the comment lines right above CREATE describe the object; a trailing
    comment describes the column defined on that line (a column definition list: the first name; a view or
    CREATE TABLE … AS SELECT: the `AS` alias, else the last name, so `s.downloads_30d, -- …` documents
    downloads_30d)."""
    objects: dict[str, DocObject] = {}
    pending: list[str] = []
    current: DocObject | None = None
    for line in text.splitlines():
        code, comment = _split_comment(line)
        if current is None:
            match = _CREATE.match(code)
            if match:
                kind = match.group(1).lower()
                by_select = kind == "view" or not code.rstrip().endswith("(")
                current = DocObject(match.group(2), kind, description=" ".join(pending), defined_by_select=by_select)
                objects[current.name] = current
                pending = []
            elif not code and comment and line.lstrip().startswith("--"):
                pending.append(comment)
            else:
                pending = []
        elif code and comment:
            if not current.defined_by_select:
                name_match = _FIRST_NAME.match(code)
            else:
                name_match = _AS_ALIAS.search(code) or _LAST_NAME.search(code)
            if name_match:
                current.columns[name_match.group(1)] = comment
        if current is not None and code.endswith(";"):
            current = None
    return objects


def documented_objects() -> dict[str, DocObject]:
    objects: dict[str, DocObject] = {}
    for name in DOCUMENTED_SQL:
        objects.update(parse_comments((SQL_DIR / f"{name}.sql").read_text()))
    return objects


@dataclass
class Example:
    path: Path
    question: str
    notes: list[str]
    sql: str


def load_examples(directory: Path = EXAMPLES_DIR) -> list[Example]:
    """sql/examples/NN_name.sql, in name order; the first comment line is the question."""
    examples = []
    for path in sorted(directory.glob("*.sql")):
        text = path.read_text()
        comments = [line[2:].strip() for line in text.splitlines() if line.startswith("--")]
        if not comments:
            raise ValueError(f"{path}: the first line must be a `-- question` comment")
        examples.append(Example(path, comments[0], comments[1:], text.strip()))
    return examples


@contextmanager
def bundled_db() -> Iterator[Path]:
    """A DB built from the bundled data as a first start builds it, in a temporary directory."""
    from pipeline.bootstrap import build_bundled

    with tempfile.TemporaryDirectory(prefix="hubscope-schema-doc-") as tmp:
        db = Path(tmp) / "hub.duckdb"
        result = build_bundled(db, DEFAULT_SNAPSHOT)
        if result.status != "ok":
            raise RuntimeError(f"could not build the bundled DB: {result.error}")
        yield db


def _cell(value: object) -> str:
    if value is None:
        text = "NULL"
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "…"


def markdown_table(frame: pl.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join([header, rule, *rows])


def _catalog(db: Path) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    """[(name, kind)] of tables then views, and their columns [(name, type)], as the DB file has them."""
    with Database(db) as ro:
        objects = list(ro.tables().items())
        columns = {name: ro.columns(name) for name, _ in objects}
    # Tables in schema.sql order (the order the reader meets them), then views in views.sql order.
    order = list(documented_objects())
    objects.sort(key=lambda o: (o[1] != "table", order.index(o[0]) if o[0] in order else len(order), o[0]))
    return objects, columns


def describe(name: str, column: str, docs: dict[str, DocObject]) -> str:
    obj = docs.get(name)
    if obj and column in obj.columns:
        return obj.columns[column]
    if obj and obj.kind == "view":
        for source in INHERIT_FROM:
            if source in docs and column in docs[source].columns:
                return docs[source].columns[column]
    return ""


def missing_descriptions(db: Path) -> list[str]:
    """`view.column` (and views) without any description: views are ours to document fully."""
    docs = documented_objects()
    objects, columns = _catalog(db)
    missing = []
    for name, kind in objects:
        if kind != "view":
            continue
        if not docs.get(name) or not docs[name].description:
            missing.append(name)
        missing += [f"{name}.{col}" for col, _ in columns[name] if not describe(name, col, docs)]
    return missing


def render(db: Path) -> str:
    """The whole docs/schema.md for the DB file `db` (meant to be built from the bundled snapshot)."""
    docs = documented_objects()
    objects, columns = _catalog(db)
    out = [
        "# HubScope DB schema reference",
        "",
        "<!-- GENERATED by `python -m pipeline schema-doc` from a DB built from the bundled snapshot and the",
        f"     comments in {', '.join(f'sql/{n}.sql' for n in DOCUMENTED_SQL)}.",
        "     Do not edit; a test fails when it is stale. -->",
        "",
        'Open the file with any DuckDB client, e.g. `duckdb data/hub.duckdb -c "from language_models limit 5"`,',
        'or `python -m pipeline query "SELECT …"` (read-only). Units are in column names: `_30d` = the Hub\'s',
        "rolling 30 days, `_billions` = parameters / 1e9, `_gb` = 1e9 bytes, `_pct` = percent. Timestamps are UTC.",
        "",
        "Contents: " + ", ".join(f"[{name}](#{name})" for name, _ in objects),
        "and the [example questions](#example-questions).",
        "",
    ]
    for section, kind in (("Tables", "table"), ("Views", "view")):
        out += [f"## {section}", ""]
        for name, obj_kind in objects:
            if obj_kind != kind:
                continue
            obj = docs.get(name)
            out += [f"### {name}", ""]
            if obj and obj.description:
                out += [obj.description, ""]
            out += ["| column | type | description |", "|---|---|---|"]
            for col, dtype in columns[name]:
                text = describe(name, col, docs).replace("|", "\\|")
                out.append(f"| `{col}` | {dtype} | {text} |")
            out.append("")
    out += [
        "## Example questions",
        "",
        f"Each is a file in `sql/examples/`; the rows shown are the first {EXAMPLE_ROWS} on the bundled snapshot",
        "(a selection of the Hub, not the whole Hub). Run one with",
        '`python -m pipeline query "$(cat sql/examples/01_slm_share_by_month.sql)"`.',
        "",
    ]
    with Database(db) as ro:  # our own SQL: run in-process (user SQL goes through safe_sql)
        results = [ro.execute(example.sql, max_rows=EXAMPLE_ROWS, time_limit=60) for example in load_examples()]
    for example, result in zip(load_examples(), results, strict=True):
        out += [f"### {example.path.stem[:2]}. {example.question}", ""]
        if example.notes:
            out += [" ".join(example.notes), ""]
        out += [f"`sql/examples/{example.path.name}`", "", "```sql", example.sql, "```", ""]
        out += [markdown_table(result.frame), ""]
    return "\n".join(out).rstrip() + "\n"


def write(db: Path | None = None, out: Path = DOC_PATH) -> Path:
    if db is not None:
        out.write_text(render(db))
        return out
    with bundled_db() as built:
        out.write_text(render(built))
    return out


def check(db: Path | None = None, doc: Path = DOC_PATH) -> list[str]:
    """Problems that make `doc` stale or incomplete for `db` (or a freshly built bundled DB); [] when current."""
    if db is None:
        with bundled_db() as built:
            return check(built, doc)
    problems = [f"no description for view/column {m}" for m in missing_descriptions(db)]
    expected = render(db)
    actual = doc.read_text() if doc.exists() else ""
    if actual != expected:
        differ = [
            f"line {i + 1}: expected {e!r}, found {a!r}"
            for i, (e, a) in enumerate(zip(expected.splitlines(), actual.splitlines(), strict=False))
            if e != a
        ]
        first = differ[0] if differ else f"lengths differ ({len(expected)} vs {len(actual)} characters)"
        problems.append(f"{doc} is stale (first difference: {first}); run `python -m pipeline schema-doc`")
    return problems
