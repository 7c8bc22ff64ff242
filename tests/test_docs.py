"""The documentation covers the public API, and its docstrings are numpydoc.

Every public name of the modules in ``MODULES`` must appear in
``docs/api.rst`` and, if it is a class or a function, have a numpydoc
docstring that passes the checks in ``CHECKS``. Modules that do not exist
yet are skipped; the docstring checks need numpydoc. The full Sphinx build
(with the examples) runs in ``tox -e docs``; these tests are the fast part.
"""

import importlib
import inspect
import pkgutil
import re
import runpy
import sys
import warnings
from pathlib import Path

import pytest

import mne_hamnet

DOCS = Path(__file__).resolve().parents[1] / "docs"
API_RST = DOCS / "api.rst"

# The modules whose public names form the API reference.
MODULES = [
    "mne_hamnet",
    "mne_hamnet.viz",
    "mne_hamnet.datasets",
    "mne_hamnet.paradigms",
    "mne_hamnet.evaluation",
    "mne_hamnet.protocols",
    "mne_hamnet.report",
    "mne_hamnet.stats",
    "mne_hamnet.features",
    "mne_hamnet.pairing",
    "mne_hamnet.pipelines",
    "mne_hamnet.callbacks",
    "mne_hamnet.online",
    "mne_hamnet.export",
]
# Public modules that are not documented as modules of their own, and why.
NOT_API_MODULES = {
    # their classes and functions are exported by mne_hamnet itself
    "mne_hamnet.hamnet": "exported by mne_hamnet",
    "mne_hamnet.classifier": "exported by mne_hamnet",
    "mne_hamnet.mirror": "exported by mne_hamnet",
    "mne_hamnet.fir": "exported by mne_hamnet",
    # the command line is described in the user guide, not the API reference
    "mne_hamnet.cli": "the command line",
}
# Public-looking helpers of those modules that other modules import; they
# are not part of the documented API.
NOT_API_NAMES = {
    "mne_hamnet.fir.check_bands",
    "mne_hamnet.classifier.resolve_device",
    # 0.1.0's place of mne_hamnet.callbacks.StageCheckpoint, kept for imports
    "mne_hamnet.classifier.StageCheckpoint",
}

# numpydoc validation checks (numpydoc.validate.ERROR_MSGS) that every public
# class, function and method must pass. Left out on purpose: ES01 (extended
# summary), SA01/EX01 (See Also, Examples), RT02 (this project writes
# Returns as "name : type"), PR08/PR09/RT04/RT05/SA02-SA04 (capitalisation
# and full stops of descriptions), SS05 (infinitive verbs), SS06 (one-line
# summary), GL01-GL03 (blank lines).
CHECKS = {
    "GL06",  # unknown section
    "GL07",  # sections in the wrong order
    "GL08",  # no docstring
    "SS01",  # no summary
    "SS02",  # summary does not start with a capital letter
    "SS03",  # summary does not end with a period
    "PR01",  # a parameter of the signature is not documented
    "PR02",  # a documented parameter is not in the signature
    "PR03",  # parameters documented in another order than the signature
    "PR04",  # a parameter has no type
    "PR07",  # a parameter has no description
    "PR10",  # "name: type" without the space before the colon
    "RT01",  # returns something but has no Returns section
    "RT03",  # a return value has no description
    "YD01",  # a generator without a Yields section
}
# skorch hooks overridden by HAMNetClassifier and its callbacks: skorch calls
# them with its own arguments, documented by skorch; they need a summary, not
# a Parameters section.
HOOKS = {"initialize_module", "initialize_optimizer", "check_data", "get_dataset",
         "get_iterator", "fit_loop", "get_split_datasets",
         # skorch callback hooks (mne_hamnet.callbacks)
         "initialize", "save_model", "on_train_begin", "on_epoch_begin", "on_epoch_end",
         "on_train_end"}
HOOK_CHECKS = {"GL06", "GL07", "GL08", "SS01", "SS02", "SS03"}


def _import(name):
    """Import a module of the package, or skip if it does not exist (yet)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name == name:
            pytest.skip(f"{name} is not written yet")
        if err.name in ("moabb", "h5py"):
            pytest.skip(f"{name} needs {err.name}")
        raise


def _public_names(module):
    """``__all__``, or the public classes and functions defined in the module."""
    if hasattr(module, "__all__"):
        return [name for name in module.__all__ if not name.startswith("__")]
    return sorted(
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and obj.__module__ == module.__name__
    )


def _documented_names(text=None):
    """Fully qualified names listed in api.rst (autosummary and directives)."""
    text = API_RST.read_text(encoding="utf-8") if text is None else text
    names, module, in_autosummary = set(), None, False
    directive = re.compile(
        r"^\.\. (?:py:)?(?:data|function|class|attribute|exception|"
        r"auto(?:class|function|data|attribute|exception))::\s+(\S+)"
    )
    for line in text.splitlines():
        stripped = line.strip()
        match = re.match(r"^\.\. (?:py:)?(?:currentmodule|module)::\s+(\S+)", stripped)
        if match:
            module, in_autosummary = match.group(1), False
            continue
        if stripped.startswith(".. autosummary::"):
            in_autosummary = True
            continue
        match = directive.match(stripped)
        if match:
            name = match.group(1)
            names.add(name if name.startswith("mne_hamnet") else f"{module}.{name}")
            in_autosummary = False
            continue
        if in_autosummary:
            if not stripped or stripped.startswith(":"):
                continue
            if line.startswith((" ", "\t")):
                name = stripped.lstrip("~")
                names.add(name if name.startswith("mne_hamnet.") else f"{module}.{name}")
                continue
            in_autosummary = False
    return names


def _validate(import_path, checks):
    """Return the numpydoc errors of ``import_path`` among ``checks``."""
    numpydoc_validate = pytest.importorskip("numpydoc.validate")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = numpydoc_validate.validate(import_path)
    errors = [f"{code}: {message}" for code, message in result["errors"] if code in checks]
    # numpydoc warns about docstrings it can't parse (unknown sections ...)
    errors += [f"parse: {w.message}" for w in caught if "numpydoc" in str(w.filename)
               or "docscrape" in str(w.filename)]
    return errors


def _methods(cls):
    """Public methods and properties defined in ``cls`` itself."""
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        # scikit-learn generates set_<method>_request; not ours to document
        if name.startswith("set_") and name.endswith("_request"):
            continue
        if inspect.isfunction(member) or isinstance(member, (property, staticmethod,
                                                             classmethod)):
            yield name


def test_documented_names_parser():
    """The api.rst parser finds names in autosummary blocks and directives."""
    text = """
.. currentmodule:: mne_hamnet

.. autosummary::
   :toctree: generated/
   :nosignatures:

   HAMNet
   ~mne_hamnet.viz.plot_x

Text after the block.

   Indented text is not a name after the block ended.

.. py:data:: mne_hamnet.logger

.. currentmodule:: mne_hamnet.datasets

.. autofunction:: simulate_seed
"""
    assert _documented_names(text) == {
        "mne_hamnet.HAMNet", "mne_hamnet.viz.plot_x", "mne_hamnet.logger",
        "mne_hamnet.datasets.simulate_seed",
    }


@pytest.mark.parametrize("module_name", MODULES)
def test_public_names_in_api_reference(module_name):
    """Every public name of the module is listed in docs/api.rst."""
    module = _import(module_name)
    documented = _documented_names()
    missing = [
        f"{module_name}.{name}" for name in _public_names(module)
        if f"{module_name}.{name}" not in documented
    ]
    assert not missing, f"add to docs/api.rst: {missing}"


def _check_docstrings(paths):
    """Validate classes and functions (and classes' methods); fail with a list."""
    failures = {}
    for path in paths:
        module_name, _, name = path.rpartition(".")
        obj = getattr(importlib.import_module(module_name), name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # data, e.g. a logger or a tuple of channel names
        failures[path] = _validate(path, CHECKS)
        if inspect.isclass(obj):
            for method in _methods(obj):
                checks = HOOK_CHECKS if method in HOOKS else CHECKS
                failures[f"{path}.{method}"] = _validate(f"{path}.{method}", checks)
    failures = {path: errors for path, errors in failures.items() if errors}
    assert not failures, "\n".join(
        f"{path}:\n    " + "\n    ".join(errors) for path, errors in failures.items()
    )


@pytest.mark.parametrize("module_name", MODULES)
def test_public_docstrings_follow_numpydoc(module_name):
    """Public classes, functions and their methods pass the numpydoc checks."""
    module = _import(module_name)
    _check_docstrings(f"{module_name}.{name}" for name in _public_names(module))


def test_other_documented_docstrings_follow_numpydoc():
    """Names api.rst lists from other modules (mne_hamnet.classifier ...) too."""
    _check_docstrings(
        path for path in sorted(_documented_names())
        if path.rpartition(".")[0] not in MODULES
    )


def test_api_reference_entries_exist():
    """Every name in docs/api.rst can be imported (no stale entries)."""
    stale = []
    for path in sorted(_documented_names()):
        module_name, _, attr = path.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            stale.append(path)
            continue
        if not hasattr(module, attr):
            stale.append(path)
    assert not stale, f"docs/api.rst lists names that do not exist: {stale}"


def test_every_public_module_is_covered():
    """A new public module must join MODULES or NOT_API_MODULES."""
    found = {
        f"mne_hamnet.{info.name}"
        for info in pkgutil.iter_modules(mne_hamnet.__path__)
        if not info.name.startswith("_")
    }
    unknown = sorted(found - set(MODULES) - set(NOT_API_MODULES))
    assert not unknown, (
        f"public modules {unknown} are neither documented (MODULES in "
        "tests/test_docs.py and docs/api.rst) nor listed in NOT_API_MODULES"
    )


@pytest.mark.parametrize(
    "module_name", [name for name in NOT_API_MODULES if name != "mne_hamnet.cli"]
)
def test_implementation_modules_are_exported(module_name):
    """Public classes and functions of implementation modules are documented."""
    module = importlib.import_module(module_name)
    exported = {id(getattr(mne_hamnet, name)) for name in mne_hamnet.__all__}
    documented = _documented_names()
    hidden = [
        path for path in (f"{module_name}.{name}" for name in _public_names(module))
        if id(getattr(module, path.rpartition(".")[2])) not in exported
        and path not in documented and path not in NOT_API_NAMES
    ]
    assert not hidden, (
        f"{hidden} are public but neither exported by mne_hamnet, nor listed in "
        "docs/api.rst, nor in NOT_API_NAMES"
    )


@pytest.mark.parametrize("enabled", [False, True])
def test_conf_intersphinx_only_on_request(monkeypatch, enabled):
    """The docs build offline unless MNE_HAMNET_DOCS_INTERSPHINX=1."""
    monkeypatch.delenv("MNE_HAMNET_DOCS_INTERSPHINX", raising=False)
    if enabled:
        monkeypatch.setenv("MNE_HAMNET_DOCS_INTERSPHINX", "1")
    monkeypatch.setattr(sys, "path", list(sys.path))
    conf = runpy.run_path(str(DOCS / "conf.py"))
    assert ("sphinx.ext.intersphinx" in conf["extensions"]) is enabled
    assert ("intersphinx_mapping" in conf) is enabled
    assert conf["numpydoc_show_class_members"] is False
    assert conf["autosummary_generate"] is True
    assert conf["sphinx_gallery_conf"]["abort_on_example_error"] is True


def test_bad_input_page_cases_behave_as_shown(monkeypatch):
    """The "Bad input" page's cases raise (or work) as declared; all are shown."""
    monkeypatch.syspath_prepend(str(DOCS / "sphinxext"))
    bad_input = importlib.import_module("bad_input")
    problems = bad_input.problems(bad_input.run_cases())
    assert not problems, "\n".join(problems)
    page = (DOCS / "user_guide" / "bad_input.rst").read_text(encoding="utf-8")
    shown = set(re.findall(r"^\.\. bad-input-table::\s+(\S+)", page, flags=re.M))
    assert shown == set(bad_input.CASES)
