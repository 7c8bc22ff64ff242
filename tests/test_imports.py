"""The package's modules import in any order, and none imports another that imports it back."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mne_hamnet"


def _module_names():
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__main__":
            continue  # running it is the command line
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _imported(module, tree, is_package):
    """The package's modules that ``tree`` imports, at any depth (lazy imports too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: None if is_package else -1]
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            yield name
            for alias in node.names:
                yield f"{name}.{alias.name}"


def _node(name, modules):
    """The graph node of an imported name: its module, a subpackage counting as one."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    if name not in modules or name == "mne_hamnet":
        return None  # another package, or the top level, which imports everything
    parts = name.split(".")
    # a subpackage's modules and its __init__ import each other by design
    return ".".join(parts[:2])


def import_graph():
    """``{module: set of modules it imports}``, subpackages collapsed into one node."""
    modules = set(_module_names())
    graph = {}
    for name in modules:
        path = PACKAGE.parent.joinpath(*name.split("."))
        is_package = path.is_dir()
        path = path / "__init__.py" if is_package else path.with_suffix(".py")
        source = _node(name, modules)
        if source is None:
            continue
        edges = graph.setdefault(source, set())
        for imported in _imported(name, ast.parse(path.read_text()), is_package):
            target = _node(imported, modules) if imported.startswith("mne_hamnet") else None
            if target is not None and target != source:
                edges.add(target)
    return graph


def _cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_one_that_imports_it_back():
    graph = import_graph()
    # the graph is real: the paradigms read the data sets, the CLI reads both
    assert "mne_hamnet.datasets" in graph["mne_hamnet.paradigms"]
    assert {"mne_hamnet.datasets", "mne_hamnet.evaluation"} <= graph["mne_hamnet.cli"]
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def _fresh_import(names):
    code = f"import importlib\nfor name in {names!r}:\n    importlib.import_module(name)\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=PACKAGE.parent)


@pytest.mark.parametrize("order", ["forward", "reverse", "paradigms first", "registry first"])
def test_modules_import_in_any_order_in_a_fresh_interpreter(order):
    names = _module_names()
    first = {"paradigms first": ["mne_hamnet.paradigms"],
             "registry first": ["mne_hamnet.datasets._registry", "mne_hamnet.datasets.deap"]}
    if order == "reverse":
        names = names[::-1]
    elif order in first:
        names = first[order] + [name for name in names if name not in first[order]]
    proc = _fresh_import(names)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_registry_builds_each_paradigm_from_its_name():
    from mne_hamnet import paradigms
    from mne_hamnet.datasets import DATASETS, ParadigmRecipe

    for spec in DATASETS.values():
        assert isinstance(spec.paradigm, ParadigmRecipe)
        paradigm = spec.paradigm()
        assert type(paradigm) is getattr(paradigms, spec.paradigm.name)
        assert paradigm.window == spec.paradigm.params["window"]
    seedv = DATASETS["seedv"].paradigm
    assert repr(seedv) == "Emotion(window=1.0, resample=200.0)"
    assert seedv == ParadigmRecipe("Emotion", window=1.0, resample=200.0)
    assert seedv != ParadigmRecipe("Emotion", window=1.0)
