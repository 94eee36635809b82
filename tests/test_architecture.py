"""The house rules of DESIGN.md that a checker can see: no import cycles, no audience-named
modules, and permissions that are both granted and checked."""

import re
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "registrations", "verification")


def find_cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in imports.get(module, ()):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in imports.get(module, ()):
                cycles.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return cycles


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_chain():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


@pytest.fixture(scope="module")
def graph():
    # grimp sees every import, also those inside functions.
    return grimp.build_graph(*PACKAGES)


def test_no_module_of_the_apps_is_part_of_an_import_cycle(graph):
    imports = {
        module: {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if imported.split(".")[0] in PACKAGES
        }
        for module in graph.modules
        if ".migrations." not in module
    }
    assert find_cycles(imports) == []


def test_no_module_is_named_after_an_audience():
    audience_named = re.compile(r"_(views|urls|forms|services)\.py$")
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if audience_named.search(path.name)
    ]
    assert offenders == []


def test_demo_data_and_benchmarks_live_in_devtools_only():
    assert not (ROOT / "registrations" / "demo.py").exists()
    assert not (ROOT / "verification" / "bench_flow.py").exists()
    assert (ROOT / "portal" / "devtools" / "management" / "commands" / "seed_demo.py").exists()


def test_the_apps_never_import_devtools(graph):
    importers = {
        module
        for devtools in graph.find_descendants("portal.devtools") | {"portal.devtools"}
        for module in graph.find_modules_that_directly_import(devtools)
        if not module.startswith("portal.devtools")
    }
    assert importers == set()
