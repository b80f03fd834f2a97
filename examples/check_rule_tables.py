#!/usr/bin/env python3
"""Usage: check_rule_tables.py DIR [DIR ...]

Checks the rules tables of an example's README: the tables whose header row starts with the
cell "seed says (translated)" (the rules of the seed, and the example's further rules). Every
name in backticks in a row's last column ("shown by") must be a scenario of DIR/scenarios/
(the file's stem, without .scenario.yaml) or a file that exists, its path relative to DIR; a
test-case name may follow the path ("`tests/x_test.cpp "a case"`"), and must then be the
file's TEST_CASE("...") (for a .py or .sh file, text it holds). Backticks in the other columns (event names, flow keywords) are not names and are left
alone. A README without such a table fails too.

Exit status 0 when every name is found, 1 otherwise, with one line per problem naming
README.md:LINE and the name.
"""

import os
import re
import sys

HEADER = "seed says (translated)"
SCENARIO_SUFFIX = ".scenario.yaml"
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def cells(line):
    """The cells of a Markdown table row; a pipe escaped as \\| stays inside its cell."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)]


def is_table_line(line):
    return line.lstrip().startswith("|")


def is_separator(line):
    return all(re.fullmatch(r":?-+:?", cell) for cell in cells(line))


def shown_by_rows(lines):
    """(line number, last cell) of each body row of each rules table; the number of tables."""
    rows = []
    tables = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_table_line(line) and cells(line)[0] == HEADER:
            tables += 1
            i += 1
            while i < len(lines) and is_table_line(lines[i]):
                if not is_separator(lines[i]):
                    rows.append((i + 1, cells(lines[i])[-1]))
                i += 1
            continue
        i += 1
    return rows, tables


def path_part(name):
    """The path of "path "test case"" or "path 'test case'": what comes before the quote."""
    return re.split(r"""\s+(?=["'(])""", name, maxsplit=1)[0].strip()


def test_case_part(name):
    """The test case's name in "path "test case"", or None when only a path is given."""
    match = re.search(r'\s"([^"]+)"\s*$', name) or re.search(r"\s'([^']+)'\s*$", name)
    return match.group(1) if match else None


def case_in(path, case):
    """Whether the file names the test case: a doctest TEST_CASE("case") or, in other
    files, the text in quotes."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return f'TEST_CASE("{case}")' in text or (path.endswith((".py", ".sh")) and case in text)


def check(folder):
    readme = os.path.join(folder, "README.md")
    shown = os.path.relpath(readme)
    if not os.path.isfile(readme):
        return [f"{shown}: no README.md in {folder}"]
    with open(readme, encoding="utf-8") as f:
        lines = f.read().splitlines()
    scenarios_dir = os.path.join(folder, "scenarios")
    scenarios = set()
    if os.path.isdir(scenarios_dir):
        scenarios = {
            name[: -len(SCENARIO_SUFFIX)]
            for name in os.listdir(scenarios_dir)
            if name.endswith(SCENARIO_SUFFIX)
        }
    rows, tables = shown_by_rows(lines)
    if tables == 0:
        return [f"{shown}: no rules table (a table whose header row starts with "
                f"'| {HEADER} |')"]
    problems = []
    for number, cell in rows:
        for match in CODE_SPAN.finditer(cell):
            name = match.group(2).strip()
            if name in scenarios:
                continue
            path = path_part(name)
            if path and os.path.isfile(os.path.join(folder, path)):
                case = test_case_part(name)
                if case is None or case_in(os.path.join(folder, path), case):
                    continue
                problems.append(f"{shown}:{number}: {path} has no test case \"{case}\"")
                continue
            problems.append(f"{shown}:{number}: `{name}` is neither a scenario in "
                            f"{os.path.relpath(scenarios_dir)}/ nor a file (path relative to "
                            f"{os.path.relpath(folder)}/)")
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    problems = []
    for folder in argv[1:]:
        problems += check(folder.rstrip("/") or folder)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
